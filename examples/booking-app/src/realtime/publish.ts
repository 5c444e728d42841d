import type { Booking } from "../db/bookings.js";
import type { Deps } from "../deps.js";
import { bookingEvent } from "./events.js";

/**
 * Publishes a change that is already in the database. A failed publish (Redis down) does not undo
 * the write: it is logged, and the caller tells the user that other browsers will catch up on their
 * next refresh or version check.
 *
 * @returns whether the hub took the event
 */
export async function publishChange(
  deps: Pick<Deps, "hub" | "logger">,
  type: "create" | "update" | "delete",
  booking: Booking,
  before?: Booking,
  origin?: string,
): Promise<boolean> {
  try {
    // `origin`: the tab that made the change (its X-Realtime-Client header); it does not refresh for it.
    await deps.hub.publish(bookingEvent(type, booking, before), { origin });
    return true;
  } catch (error) {
    deps.logger.warn(`[booking-app] booking ${booking.id} was saved, but publishing its ${type} failed`, error);
    return false;
  }
}

/** The acting tab's client id from its `X-Realtime-Client` header, if it is one (else no origin). */
export function originOf(header: string | string[] | undefined): string | undefined {
  return typeof header === "string" && /^[\x21-\x7e]{1,64}$/.test(header) ? header : undefined;
}
