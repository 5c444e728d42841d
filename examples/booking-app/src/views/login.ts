import type { DemoUser } from "../auth/users.js";
import type { Named, SpecialistRow } from "../db/bookings.js";
import { type SafeHtml, html } from "./html.js";
import { layout } from "./layout.js";

function userButton(user: DemoUser, detail: string): SafeHtml {
  return html`<li><form method="post" action="/login">
  <input type="hidden" name="login" value="${user.login}">
  <button type="submit" class="user-choice" data-login="${user.login}"><strong>${user.displayName}</strong><span>${detail}</span></button>
</form></li>`;
}

/**
 * The sign-in page: one button per demo user. There are no passwords: this is a demo of real-time
 * updates, and who you sign in as decides which bookings you see and which updates reach you.
 */
export function loginPage(users: readonly DemoUser[], workpoints: readonly Named[], specialists: readonly SpecialistRow[], error?: string): SafeHtml {
  const wpName = (id: number): string => workpoints.find((w) => w.id === id)?.name ?? `Workpoint ${id}`;
  const spec = (id: number): SpecialistRow | undefined => specialists.find((s) => s.id === id);
  const group = (role: DemoUser["role"]): DemoUser[] => users.filter((u) => u.role === role);
  const detail = (u: DemoUser): string => {
    switch (u.role) {
      case "admin":
        return "sees every booking";
      case "supervisor":
        return `sees ${wpName(u.workpointId)}`;
      case "specialist": {
        const s = spec(u.specialistId);
        return `${s?.speciality ?? "Specialist"} at ${wpName(s?.workpointId ?? 0)}: own bookings`;
      }
    }
  };
  return layout(
    "Sign in",
    html`<main class="login">
  <h1>📅 realtime-bookings demo</h1>
  <p class="lead">Sign in as a demo user. Open a second browser (or a private window) as someone else, book in one, and watch the other refresh.</p>
  ${error ? html`<p class="form-error" role="alert">${error}</p>` : ""}
  <section><h2>Admin</h2><ul class="users">${group("admin").map((u) => userButton(u, detail(u)))}</ul></section>
  <section><h2>Supervisors</h2><ul class="users">${group("supervisor").map((u) => userButton(u, detail(u)))}</ul></section>
  <section><h2>Specialists</h2><ul class="users">${group("specialist").map((u) => userButton(u, detail(u)))}</ul></section>
  <p class="hint">Demo only: there are no passwords. Keep it on localhost (the default).</p>
</main>`,
    "login-page",
  );
}
