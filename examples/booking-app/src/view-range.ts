import { type DateString, addDays, dateTime, isDate, longDate, shortDate, today, weekStart } from "./time.js";

/** A day or a week view. */
export type ViewKind = "day" | "week";

/** The days a view shows, its bounds as date-times, and where its arrows lead. */
export interface ViewRange {
  readonly view: ViewKind;
  /** The date asked for (any day of the week for a week view). */
  readonly date: DateString;
  readonly days: readonly DateString[];
  /** Inclusive start, `YYYY-MM-DD 00:00:00`. */
  readonly from: string;
  /** Exclusive end. */
  readonly to: string;
  readonly prev: DateString;
  readonly next: DateString;
  readonly title: string;
}

/** Reads `view` and `date` from a query string; anything malformed falls back to today's day view. */
export function viewRangeOf(params: URLSearchParams, now: Date = new Date()): ViewRange {
  const view: ViewKind = params.get("view") === "week" ? "week" : "day";
  const asked = params.get("date") ?? "";
  const date = isDate(asked) ? asked : today(now);
  return viewRange(view, date);
}

/** The range of a view containing `date`. */
export function viewRange(view: ViewKind, date: DateString): ViewRange {
  if (view === "day") {
    return { view, date, days: [date], from: dateTime(date, "00:00"), to: dateTime(addDays(date, 1), "00:00"), prev: addDays(date, -1), next: addDays(date, 1), title: longDate(date) };
  }
  const monday = weekStart(date);
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  const sunday = days[6] as DateString;
  return {
    view,
    date,
    days,
    from: dateTime(monday, "00:00"),
    to: dateTime(addDays(monday, 7), "00:00"),
    prev: addDays(date, -7),
    next: addDays(date, 7),
    title: `Week of ${shortDate(monday)} – ${shortDate(sunday)} ${sunday.slice(0, 4)}`,
  };
}
