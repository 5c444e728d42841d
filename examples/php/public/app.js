// The page's only script: connects the realtime-bookings client (the <script> bundle's global
// `RealtimeBookings`) to the hub, and reloads the page when a booking of this user's scope changes.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("rb-config").textContent);
  const status = document.getElementById("rb-status");
  if (typeof window.RealtimeBookings !== "function") {
    status.textContent = "Real-time off: the client bundle is missing (npm run build -w packages/client)";
    return;
  }

  let token = config.token;
  let expiresAt = config.tokenExpiresAt;
  // Called before every connection and version check: renews the token a minute before it expires.
  async function currentToken() {
    if (Date.now() < expiresAt - 60000) return token;
    const response = await fetch(config.tokenUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return null; // signed out: the hub answers 401 and the client stops
    ({ token, expiresAt } = await response.json());
    return token;
  }

  // A token makes the client use its fetch transport: the token travels in the Authorization header,
  // never in a URL. The hub is on another origin and allows this page with --cors-origin.
  const realtime = new window.RealtimeBookings({
    streamUrl: config.streamUrl,
    versionUrl: config.versionUrl,
    initialVersion: config.initialVersion,
    token: currentToken,
    onRefresh: () => window.location.reload(),
  });
  window.RealtimeBookings.mountStatusButton(realtime, status);
  window.realtimeBookings = realtime; // for the console (and the browser test)
})();
