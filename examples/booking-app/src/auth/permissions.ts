import { type Booking, type BookingInput, type SpecialistRow, inScope } from "../db/bookings.js";
import { type DemoUser, scopeOf } from "./users.js";

/**
 * Why `user` may not write a booking with these values, or `undefined` when they may. One rule for a
 * new booking and for the NEW values of an edit, so an edit cannot move a booking anywhere its author
 * could not have created it:
 *
 * - an admin writes anything;
 * - a specialist writes only their own calendar (at any workpoint), so they cannot hand a booking to
 *   someone else;
 * - a supervisor writes only at their workpoint, and only for specialists whose home workpoint it is.
 *   An edit may keep the specialist the booking already has: the admin may have placed a visiting
 *   specialist there, and the supervisor can see and edit that booking.
 *
 * Whether the user may touch the booking as it is now (`current`) is checked before this: a booking
 * outside their scope is "not found" to them.
 *
 * @param user - who is writing
 * @param target - the values the booking would have after the write
 * @param specialists - every specialist with their home workpoint
 * @param current - for an edit, the booking as it is now
 * @returns the refusal to show the user (with a 403), or `undefined`
 */
export function writeRefusal(user: DemoUser, target: BookingInput, specialists: readonly SpecialistRow[], current?: Booking): string | undefined {
  switch (user.role) {
    case "admin":
      return undefined;
    case "specialist":
      return inScope(scopeOf(user), target) ? undefined : current ? "You can only keep bookings in your own calendar." : "You can only book for yourself.";
    case "supervisor": {
      if (!inScope(scopeOf(user), target)) return current ? "You can only keep bookings at your workpoint." : "You can only book at your workpoint.";
      if (current?.specialistId === target.specialistId) return undefined;
      const home = specialists.find((s) => s.id === target.specialistId)?.workpointId;
      return home === user.workpointId ? undefined : "You can only book specialists of your workpoint.";
    }
  }
}
