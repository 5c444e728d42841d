import type { BookingInput, Named } from "./db/bookings.js";
import { dateTime, isDate, isTime, minutesOf } from "./time.js";

/** The form's fields, named after the seed's columns where there is one. */
export interface BookingForm {
  readonly id_work_place?: unknown;
  readonly id_specialist?: unknown;
  readonly client_full_name?: unknown;
  readonly client_phone_nr?: unknown;
  readonly name_of_service?: unknown;
  readonly date?: unknown;
  readonly start_time?: unknown;
  readonly end_time?: unknown;
  readonly revision?: unknown;
}

/** A parsed form, or the message of each invalid field. */
export type ParsedBookingForm =
  | { readonly ok: true; readonly input: BookingInput; readonly revision: number | undefined }
  | { readonly ok: false; readonly errors: Readonly<Record<string, string>> };

/** The earliest and latest times a booking may use. */
export const DAY_OPENS = "06:00";
export const DAY_CLOSES = "22:00";

const text = (value: unknown): string => (typeof value === "string" ? value.trim() : typeof value === "number" ? String(value) : "");
const CONTROL = /[\u0000-\u001f\u007f]/;

function id(value: unknown): number | undefined {
  const s = text(value);
  return /^[1-9]\d{0,9}$/.test(s) ? Number(s) : undefined;
}

/**
 * Validates a create or edit form. Every message says what to fix; nothing is trusted: ids must name
 * an existing workpoint and specialist, times must be a real day's 06:00–22:00 with the end after the
 * start, and text fields are length-bounded and free of control characters.
 */
export function parseBookingForm(form: BookingForm, known: { workpoints: readonly Named[]; specialists: readonly Named[] }): ParsedBookingForm {
  const errors: Record<string, string> = {};
  const workpointId = id(form.id_work_place);
  if (workpointId === undefined || !known.workpoints.some((w) => w.id === workpointId)) errors["id_work_place"] = "Choose a workpoint.";
  const specialistId = id(form.id_specialist);
  if (specialistId === undefined || !known.specialists.some((s) => s.id === specialistId)) errors["id_specialist"] = "Choose a specialist.";

  const clientName = text(form.client_full_name);
  if (clientName.length < 2 || clientName.length > 100 || CONTROL.test(clientName)) errors["client_full_name"] = "Enter the client's name (2–100 characters).";
  const clientPhone = text(form.client_phone_nr);
  if (clientPhone !== "" && !/^[+\d][\d ()./-]{2,29}$/.test(clientPhone)) errors["client_phone_nr"] = "Enter a phone number (digits, spaces, + ( ) - . /), or leave it empty.";
  const service = text(form.name_of_service);
  if (service.length < 2 || service.length > 80 || CONTROL.test(service)) errors["name_of_service"] = "Enter the service (2–80 characters).";

  const date = text(form.date);
  if (!isDate(date)) errors["date"] = "Enter a date as YYYY-MM-DD.";
  const start = text(form.start_time);
  const end = text(form.end_time);
  if (!isTime(start) || start < DAY_OPENS || start >= DAY_CLOSES) errors["start_time"] = `Enter a start time from ${DAY_OPENS} to ${DAY_CLOSES}.`;
  if (!isTime(end) || end > DAY_CLOSES) errors["end_time"] = `Enter an end time until ${DAY_CLOSES}.`;
  else if (isTime(start) && minutesOf(end) <= minutesOf(start)) errors["end_time"] = "The end must be after the start.";

  let revision: number | undefined;
  if (form.revision !== undefined && form.revision !== "") {
    revision = id(form.revision);
    if (revision === undefined) errors["revision"] = "The form is out of date: reopen it.";
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    revision,
    input: {
      workpointId: workpointId as number,
      specialistId: specialistId as number,
      clientName,
      clientPhone,
      service,
      start: dateTime(date, start),
      end: dateTime(date, end),
    },
  };
}
