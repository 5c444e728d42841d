import { defineCommand } from "./spec.js";

/** Every option of `realtime-bookings token`: its help, its docs and its bounds. @internal */
export const TOKEN = defineCommand({
  name: "token",
  usage: "realtime-bookings token --role <role> [--specialist <id> | --workpoint <id>] [options] | token --publisher [--workpoints <id,...>] [options]",
  intro: `
Signs a viewer token (HS256 JWT) for trying the hub with curl or a test page. Apps sign their own
tokens (see docs/protocol.md); this prints one to stdout. Every token carries a sub (and, when the
sub is made up, a jti), so two tokens never share one connection cap.`,
  options: {
    role: { group: "", value: "<role>", help: "admin, supervisor or specialist" },
    specialist: { group: "", value: "<id>", help: "the specialist (role specialist)" },
    workpoint: { group: "", value: "<id>", help: "the workpoint (role supervisor)" },
    sub: { group: "", value: "<user>", default: "a fresh cli-<uuid>, with a jti", help: "the sub claim: the signed-in user (connection caps count by it)" },
    ttl: { group: "", value: "<seconds>", integer: { min: 1, max: 31_536_000, default: 900 }, help: "lifetime" },
    publisher: {
      group: "",
      help: "mint a publisher token instead (POST /publish; \"publish\": true, no role): server to server only; sign it with the hub's --publisher-secret if it has one",
    },
    workpoints: { group: "", value: "<id,...>", help: "with --publisher: may publish only events of these workpoints" },
    secret: { group: "", value: "<secret>", env: "REALTIME_BOOKINGS_SECRET", help: "the hub's secret" },
    "secret-file": { group: "", value: "<path>", help: "read the secret from a file; warns once if other users may read it" },
    issuer: { group: "", value: "<iss>", help: "the iss claim, for a hub started with --issuer" },
    audience: { group: "", value: "<aud>", help: "the aud claim, for a hub started with --audience" },
    help: { group: "", short: "h", help: "show this help" },
  },
  outro: `
Example:
  curl -N -H "Authorization: Bearer $(realtime-bookings token --role specialist --specialist 3)" \\
    http://127.0.0.1:8080/events`,
});
