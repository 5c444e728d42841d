import type { DemoUser } from "../auth/users.js";
import type { Booking } from "../db/bookings.js";
import { longDate, splitDateTime, today } from "../time.js";
import type { ViewRange } from "../view-range.js";
import { type SafeHtml, html } from "./html.js";

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

function row(b: Booking, user: DemoUser): SafeHtml {
  const start = splitDateTime(b.start).time;
  const end = splitDateTime(b.end).time;
  const mine = user.role === "specialist";
  return html`<tr class="booking" id="booking-${b.id}" data-booking-id="${b.id}" data-rev="${b.revision}" data-specialist-id="${b.specialistId}" data-workpoint-id="${b.workpointId}">
  <td class="time"><time datetime="${b.start.replace(" ", "T")}">${start}</time>–<time datetime="${b.end.replace(" ", "T")}">${end}</time></td>
  <td class="client"><span class="client-name">${b.clientName}</span>${b.clientPhone ? html`<span class="phone">${b.clientPhone}</span>` : ""}</td>
  <td class="service">${b.service}</td>
  ${mine ? "" : html`<td class="specialist">${b.specialistName}</td>`}
  <td class="workpoint">${b.workpointName}</td>
  <td class="actions">
    <button type="button" class="link" data-action="edit" data-id="${b.id}" aria-label="Edit booking ${b.id}: ${b.clientName} at ${start}">Edit</button>
    <button type="button" class="link danger" data-action="cancel" data-id="${b.id}" aria-label="Cancel booking ${b.id}: ${b.clientName} at ${start}">Cancel</button>
  </td>
</tr>`;
}

function day(date: string, bookings: readonly Booking[], user: DemoUser, showHeading: boolean): SafeHtml {
  const mine = user.role === "specialist";
  const table =
    bookings.length === 0
      ? html`<p class="empty">No bookings.</p>`
      : html`<table class="bookings-table">
  <thead><tr><th scope="col">Time</th><th scope="col">Client</th><th scope="col">Service</th>${mine ? "" : html`<th scope="col">Specialist</th>`}<th scope="col">Workpoint</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
  <tbody>${bookings.map((b) => row(b, user))}</tbody>
</table>`;
  return html`<section class="day" data-date="${date}">
  ${showHeading ? html`<h2 class="day-head">${longDate(date)}${date === today() ? html`<span class="badge">Today</span>` : ""} <span class="count">${plural(bookings.length, "booking")}</span></h2>` : ""}
  ${table}
</section>`;
}

/**
 * The bookings view of one scope and range: the HTML fragment the page fetches from `/bookings`
 * and swaps in on every change. Its root carries the range (`data-title`, `data-prev`, `data-next`)
 * for the toolbar, and each row its booking id and revision, from which the page tells what changed.
 */
export function bookingsFragment(range: ViewRange, bookings: readonly Booking[], user: DemoUser): SafeHtml {
  const byDay = new Map<string, Booking[]>(range.days.map((d) => [d, []]));
  for (const b of bookings) byDay.get(b.start.slice(0, 10))?.push(b);
  return html`<div class="bookings" data-view="${range.view}" data-date="${range.date}" data-title="${range.title}" data-prev="${range.prev}" data-next="${range.next}" data-count="${bookings.length}">
<p class="summary">${plural(bookings.length, "booking")}</p>
${range.days.map((d) => day(d, byDay.get(d) ?? [], user, range.view === "week"))}
</div>`;
}
