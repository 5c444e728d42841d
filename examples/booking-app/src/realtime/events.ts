import type { BookingChange } from "@realtime-bookings/protocol";
import type { Booking } from "../db/bookings.js";

/**
 * The event published for a booking change. It names the booking and its scope (who may see it) and
 * its times; it leaves out the client's name and phone, which every page reads from the database
 * with the viewer's own scope. An edit that moved the booking carries `previous`, so the scope it
 * left learns that it is gone.
 */
export function bookingEvent(type: "create" | "update" | "delete", booking: Booking, before?: Booking): BookingChange {
  const data = {
    id: booking.id,
    specialist_id: booking.specialistId,
    workpoint_id: booking.workpointId,
    booking_start_datetime: booking.start,
    booking_end_datetime: booking.end,
  };
  if (type !== "update" || !before) return { type, data };
  const previous: { specialist_id?: number; workpoint_id?: number } = {};
  if (before.specialistId !== booking.specialistId) previous.specialist_id = before.specialistId;
  if (before.workpointId !== booking.workpointId) previous.workpoint_id = before.workpointId;
  return Object.keys(previous).length > 0 ? { type, data, previous } : { type, data };
}
