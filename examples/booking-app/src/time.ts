/**
 * Calendar arithmetic on the seed's naive local date-times (`YYYY-MM-DD HH:MM:SS`, as MySQL's
 * DATETIME stores them). Days are computed in UTC on purpose: a date string has no zone, so adding a
 * day must never be moved by a daylight-saving change.
 */

/** `YYYY-MM-DD` */
export type DateString = string;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

const pad = (n: number): string => String(n).padStart(2, "0");

const fromUtc = (d: Date): DateString => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** Whether `value` is a real calendar date `YYYY-MM-DD` (not 2025-02-30). */
export function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return fromUtc(d) === value;
}

/** Whether `value` is a time `HH:MM`. */
export const isTime = (value: string): boolean => TIME.test(value);

/** Today in the server's local time zone. */
export function today(now: Date = new Date()): DateString {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The local time now as `HH:MM`. */
export const nowTime = (now: Date = new Date()): string => `${pad(now.getHours())}:${pad(now.getMinutes())}`;

/** `date` plus `days` (may be negative). */
export function addDays(date: DateString, days: number): DateString {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return fromUtc(new Date(Date.UTC(y, m - 1, d + days)));
}

/** The day of the week, 0 = Monday … 6 = Sunday. */
export function weekday(date: DateString): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** The Monday of `date`'s week. */
export const weekStart = (date: DateString): DateString => addDays(date, -weekday(date));

/** `YYYY-MM-DD HH:MM:00` */
export const dateTime = (date: DateString, time: string): string => `${date} ${time}:00`;

/** Minutes since midnight of `HH:MM`. */
export function minutesOf(time: string): number {
  const [h, m] = time.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

/** `HH:MM` of minutes since midnight. */
export const timeOf = (minutes: number): string => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;

/** Splits `YYYY-MM-DD HH:MM:SS` into its date and `HH:MM`. */
export function splitDateTime(value: string): { date: DateString; time: string } {
  return { date: value.slice(0, 10), time: value.slice(11, 16) };
}

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Monday 3 Mar 2025` */
export function longDate(date: DateString): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return `${WEEKDAYS[weekday(date)]} ${d} ${MONTHS[m - 1]} ${y}`;
}

/** `3 Mar` */
export function shortDate(date: DateString): string {
  const [, m, d] = date.split("-").map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1]}`;
}
