import type { DemoUser } from "../auth/users.js";
import { DAY_CLOSES, DAY_OPENS } from "../booking-input.js";
import type { Named, SpecialistRow } from "../db/bookings.js";
import { SERVICES } from "../db/seed.js";
import type { ViewRange } from "../view-range.js";
import { type SafeHtml, html, jsonForScript } from "./html.js";
import { layout } from "./layout.js";

/** What the page script reads from `#rb-config`. Mirrored in `src/browser/config.ts`. */
export interface PageConfig {
  readonly streamUrl: string;
  readonly versionUrl: string;
  readonly bookingsUrl: string;
  readonly csrfToken: string;
  readonly initialVersion: number | undefined;
  readonly client: {
    readonly pollIntervalMs: number;
    readonly fallbackAfter: number;
    readonly reconnect: { readonly baseMs: number; readonly maxMs: number };
  };
  /** What a new booking's form starts with. */
  readonly defaults: { readonly workpointId: number | undefined; readonly specialistId: number | undefined };
}

/** Everything the bookings page shows. */
export interface PageModel {
  readonly user: DemoUser;
  readonly range: ViewRange;
  readonly fragment: SafeHtml;
  readonly workpoints: readonly Named[];
  readonly specialists: readonly SpecialistRow[];
  readonly config: PageConfig;
}

function scopeText(user: DemoUser, workpoints: readonly Named[]): string {
  switch (user.role) {
    case "admin":
      return "Admin · every booking";
    case "supervisor":
      return `Supervisor · ${workpoints.find((w) => w.id === user.workpointId)?.name ?? `workpoint ${user.workpointId}`}`;
    case "specialist":
      return "Specialist · own bookings";
  }
}

const viewHref = (view: string, date: string): string => `/?view=${view}&date=${date}`;

function bookingDialog(model: PageModel): SafeHtml {
  const { workpoints, specialists } = model;
  const wpName = (id: number): string => workpoints.find((w) => w.id === id)?.name ?? "";
  const services = [...new Set(Object.values(SERVICES).flatMap((list) => list.map(([name]) => name)))].sort();
  const field = (name: string, label: string, control: SafeHtml): SafeHtml =>
    html`<div class="field"><label for="f-${name}">${label}</label>${control}<p class="field-error" id="f-${name}-error" data-error-for="${name}"></p></div>`;
  return html`<dialog id="booking-dialog" aria-labelledby="booking-dialog-title">
<form id="booking-form" method="dialog" novalidate>
  <h2 id="booking-dialog-title">New booking</h2>
  <p class="form-notice" role="status" hidden></p>
  <p class="form-error" role="alert" hidden></p>
  <input type="hidden" name="id" value="">
  <input type="hidden" name="revision" value="">
  <div class="grid">
    ${field("date", "Date", html`<input id="f-date" name="date" type="date" required aria-describedby="f-date-error">`)}
    ${field("start_time", "Start", html`<input id="f-start_time" name="start_time" type="time" step="300" min="${DAY_OPENS}" max="${DAY_CLOSES}" required aria-describedby="f-start_time-error">`)}
    ${field("end_time", "End", html`<input id="f-end_time" name="end_time" type="time" step="300" min="${DAY_OPENS}" max="${DAY_CLOSES}" required aria-describedby="f-end_time-error">`)}
  </div>
  ${field("client_full_name", "Client", html`<input id="f-client_full_name" name="client_full_name" maxlength="100" required autocomplete="off" aria-describedby="f-client_full_name-error">`)}
  ${field("client_phone_nr", "Phone (optional)", html`<input id="f-client_phone_nr" name="client_phone_nr" type="tel" maxlength="30" autocomplete="off" aria-describedby="f-client_phone_nr-error">`)}
  ${field("name_of_service", "Service", html`<input id="f-name_of_service" name="name_of_service" list="services" maxlength="80" required autocomplete="off" aria-describedby="f-name_of_service-error"><datalist id="services">${services.map((s) => html`<option value="${s}"></option>`)}</datalist>`)}
  <div class="grid">
    ${field("id_specialist", "Specialist", html`<select id="f-id_specialist" name="id_specialist" required aria-describedby="f-id_specialist-error">${specialists.map((s) => html`<option value="${s.id}" data-workpoint-id="${s.workpointId}">${s.name} (${s.speciality}, ${wpName(s.workpointId)})</option>`)}</select>`)}
    ${field("id_work_place", "Workpoint", html`<select id="f-id_work_place" name="id_work_place" required aria-describedby="f-id_work_place-error">${workpoints.map((w) => html`<option value="${w.id}">${w.name}</option>`)}</select>`)}
  </div>
  <div class="buttons">
    <button type="submit" class="primary" id="booking-save">Save</button>
    <button type="button" class="secondary" data-close>Close</button>
  </div>
</form>
</dialog>
<dialog id="cancel-dialog" aria-labelledby="cancel-dialog-title">
<form id="cancel-form" method="dialog">
  <h2 id="cancel-dialog-title">Cancel this booking?</h2>
  <p class="cancel-summary"></p>
  <p class="form-error" role="alert" hidden></p>
  <input type="hidden" name="id" value="">
  <input type="hidden" name="revision" value="">
  <div class="buttons">
    <button type="submit" class="danger" id="cancel-confirm">Cancel booking</button>
    <button type="button" class="secondary" data-close>Keep it</button>
  </div>
</form>
</dialog>`;
}

/** The bookings page: top panel with the real-time status button, toolbar, the view, the forms. */
export function bookingsPage(model: PageModel): SafeHtml {
  const { user, range } = model;
  const tab = (view: string, label: string): SafeHtml =>
    html`<a href="${viewHref(view, range.date)}" data-view-link="${view}" ${range.view === view ? html`aria-current="page"` : ""}>${label}</a>`;
  return layout(
    "Bookings",
    html`<header class="top-panel">
  <div class="brand">📅 Bookings</div>
  <div class="who"><strong id="user-name">${user.displayName}</strong> <span class="scope" id="user-scope">${scopeText(user, model.workpoints)}</span></div>
  <div class="realtime"><button type="button" id="rb-status" class="rb-status">Connecting…</button><span class="last-update" id="last-update" data-count="0"></span></div>
  <form method="post" action="/logout" class="logout"><input type="hidden" name="_csrf" value="${model.config.csrfToken}"><button type="submit" class="secondary">Sign out</button></form>
</header>
<main class="page">
  <nav class="toolbar" aria-label="Dates">
    <div class="nav">
      <a href="${viewHref(range.view, range.prev)}" data-nav="prev" aria-label="Previous ${range.view}">‹</a>
      <a href="${viewHref(range.view, "today")}" data-nav="today">Today</a>
      <a href="${viewHref(range.view, range.next)}" data-nav="next" aria-label="Next ${range.view}">›</a>
    </div>
    <h1 id="view-title">${range.title}</h1>
    <div class="tabs">${tab("day", "Day")}${tab("week", "Week")}</div>
    <button type="button" class="primary" id="new-booking">+ New booking</button>
  </nav>
  <noscript><p class="form-error">This page needs JavaScript for booking and for real-time updates.</p></noscript>
  <div id="bookings-view">${model.fragment}</div>
</main>
<div id="toasts" class="toasts" role="status" aria-live="polite"></div>
${bookingDialog(model)}
<script type="application/json" id="rb-config">${jsonForScript(model.config)}</script>
<script src="/assets/realtime-bookings.js"></script>
<script src="/assets/app.js"></script>`,
    `role-${user.role}`,
  );
}
