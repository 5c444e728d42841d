import { createBookingHub } from "@realtime-bookings/server";
import { parseArgs } from "node:util";
import { parseBookingForm } from "../booking-input.js";
import { type Booking, BookingStore, type WriteResult } from "../db/bookings.js";
import { openDatabase, publishToken } from "../db/open.js";
import { bookingEvent } from "../realtime/events.js";
import { openBroker } from "../realtime/broker.js";
import { defaultDatabasePath } from "../paths.js";
import { addDays, isDate, minutesOf, nowTime, timeOf, today } from "../time.js";

export const BOOK_USAGE = `Creates a test booking from the terminal, so every open browser allowed to see it refreshes
(the original system's \`php test_booking_push.php\`).

Usage: npm run book -- [options]

  --specialist <id>   the specialist (default 1)
  --workpoint <id>    the workpoint (default: the specialist's own)
  --date <YYYY-MM-DD> the day (default: today, or the next day with a free slot)
  --start <HH:MM>     the start (default: the specialist's next free slot from now)
  --minutes <n>       the length (default 30)
  --client <name>     the client (default "Test Client")
  --service <name>    the service (default "Test booking")
  --cancel <id>       cancel booking <id> instead of creating one
  --url <url>         the running demo (default http://127.0.0.1:$PORT, PORT defaulting to 3000)
  --database <path>   the SQLite file (default $DATABASE_PATH or the demo's .data/bookings.sqlite)
  -h, --help          this text

It writes to the demo's SQLite file, then publishes: through Redis when REDIS_URL is set, otherwise
through the running demo (POST /internal/publish with the secret kept in the database).`;

/** Where the command writes what it says. */
export interface Output {
  log(line: string): void;
  error(line: string): void;
}

type Env = Readonly<Record<string, string | undefined>>;

const DAY_END = minutesOf("22:00");

/** The first slot of `minutes` at or after `from` (`YYYY-MM-DD`, `HH:MM`) the specialist has free. */
function nextFreeSlot(store: BookingStore, specialistId: number, date: string, from: string, minutes: number): { date: string; start: string } | undefined {
  for (let day = 0; day < 14; day++) {
    const d = addDays(date, day);
    let at = day === 0 ? Math.max(minutesOf("06:00"), Math.ceil(minutesOf(from) / 15) * 15) : minutesOf("06:00");
    for (; at + minutes <= DAY_END; at += 15) {
      const start = `${d} ${timeOf(at)}:00`;
      const end = `${d} ${timeOf(at + minutes)}:00`;
      if (!store.overlapping(specialistId, start, end)) return { date: d, start: timeOf(at) };
    }
  }
  return undefined;
}

async function publish(event: ReturnType<typeof bookingEvent>, url: string, token: string, env: Env, out: Output): Promise<boolean> {
  const redisUrl = env["REDIS_URL"] || undefined;
  if (redisUrl) {
    const opened = await openBroker({ redisUrl, redisPrefix: env["REDIS_PREFIX"] || undefined }, { warn: out.error, error: out.error });
    const hub = createBookingHub({ broker: opened.broker, authenticate: () => null, logger: { warn: out.error, error: out.error } });
    try {
      const { id } = await hub.publish(event);
      out.log(`published through ${opened.description} (event ${id})`);
      return true;
    } finally {
      await hub.close();
      await opened.close();
    }
  }
  let response: Response;
  try {
    response = await fetch(new URL("/internal/publish", url), {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    out.error(`saved, but no demo answered at ${url} (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}): open browsers see it on their next load. Start it with \`npm start\`, or pass --url.`);
    return false;
  }
  const body = (await response.json().catch(() => ({}))) as { id?: string; message?: string };
  if (response.status === 202) {
    out.log(`published through the demo at ${url} (event ${body.id})`);
    return true;
  }
  out.error(`saved, but the demo at ${url} refused to publish (${response.status}: ${body.message ?? "no message"})${response.status === 401 ? ": is it running on another database? Pass --database or --url." : ""}`);
  return false;
}

const describe = (b: Booking): string =>
  `#${b.id} ${b.start.slice(0, 16)}–${b.end.slice(11, 16)} ${b.service} for ${b.clientName}, ${b.specialistName} at ${b.workpointName}`;

/**
 * `npm run book`: creates (or cancels) a booking and publishes it.
 *
 * @returns the exit code: 0 done, 1 bad arguments or refused, 3 saved but not published
 */
export async function runBook(argv: readonly string[], env: Env = process.env, out: Output = { log: console.log, error: console.error }, now = new Date()): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        specialist: { type: "string" },
        workpoint: { type: "string" },
        date: { type: "string" },
        start: { type: "string" },
        minutes: { type: "string", default: "30" },
        client: { type: "string", default: "Test Client" },
        service: { type: "string", default: "Test booking" },
        cancel: { type: "string" },
        url: { type: "string" },
        database: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (error) {
    out.error(`${(error as Error).message}\n\n${BOOK_USAGE}`);
    return 1;
  }
  if (args.help) {
    out.log(BOOK_USAGE);
    return 0;
  }
  const url = args.url ?? `http://127.0.0.1:${env["PORT"] || 3000}`;
  const { db } = openDatabase(args.database ?? (env["DATABASE_PATH"] || defaultDatabasePath()));
  try {
    const store = new BookingStore(db);
    let result: WriteResult;
    let type: "create" | "delete";
    if (args.cancel !== undefined) {
      type = "delete";
      result = store.cancel(Number(args.cancel));
    } else {
      type = "create";
      const specialists = store.specialists();
      const specialist = specialists.find((s) => s.id === Number(args.specialist ?? 1));
      if (!specialist) {
        out.error(`there is no specialist ${args.specialist}: choose one of ${specialists.map((s) => `${s.id} (${s.name})`).join(", ")}`);
        return 1;
      }
      const minutes = Number(args.minutes);
      if (!Number.isSafeInteger(minutes) || minutes < 5 || minutes > 16 * 60) {
        out.error("--minutes must be a whole number from 5 to 960");
        return 1;
      }
      if (args.date !== undefined && !isDate(args.date)) {
        out.error("--date must be YYYY-MM-DD");
        return 1;
      }
      let date = args.date ?? today(now);
      let start = args.start;
      if (start === undefined) {
        const slot = nextFreeSlot(store, specialist.id, date, args.date === undefined ? nowTime(now) : "06:00", minutes);
        if (!slot) {
          out.error(`${specialist.name} has no free ${minutes}-minute slot in the next two weeks`);
          return 1;
        }
        ({ date, start } = slot);
      }
      const form = parseBookingForm(
        {
          id_work_place: args.workpoint ?? String(specialist.workpointId),
          id_specialist: String(specialist.id),
          client_full_name: args.client,
          name_of_service: args.service,
          date,
          start_time: start,
          end_time: /^\d{2}:\d{2}$/.test(start) ? timeOf(minutesOf(start) + minutes) : "",
        },
        { workpoints: store.workpoints(), specialists },
      );
      if (!form.ok) {
        out.error(Object.entries(form.errors).map(([field, message]) => `${field}: ${message}`).join("\n"));
        return 1;
      }
      result = store.create(form.input);
    }
    if (!result.ok) {
      out.error(
        result.reason === "conflict"
          ? `refused: overlaps ${describe(result.conflict)}`
          : result.reason === "not_found"
            ? `there is no booking ${args.cancel}`
            : "refused: the booking changed meanwhile",
      );
      return 1;
    }
    out.log(`${type === "create" ? "created" : "cancelled"} ${describe(result.booking)}`);
    return (await publish(bookingEvent(type, result.booking), url, publishToken(db), env, out)) ? 0 : 3;
  } finally {
    db.close();
  }
}
