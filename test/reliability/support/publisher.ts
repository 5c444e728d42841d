import { type BookingEvent, PUBLISH_SCRIPT, parseBookingEvent, redisKeys, versionKeysOf } from "@realtime-bookings/protocol";
import { sleep } from "@realtime-bookings/test-utils";
import { Redis } from "ioredis";

/**
 * A publisher that talks to Redis directly with the protocol's atomic script, as a PHP app does. It
 * fails fast while Redis is down (no offline queue, so nothing is applied late) and retries each event
 * until it is in. A failure can be ambiguous (Redis applied the script, then the connection closed
 * before the reply), so before re-sending it looks for the event in the history, as an app should:
 * the ledger then knows every event it sent exists exactly once.
 */
export class DirectPublisher {
  private readonly redis: Redis;
  private readonly keys;
  /** Publish time (ms since epoch) by sequence number, once acknowledged. */
  readonly sentAt = new Map<number, number>();
  failures = 0;

  constructor(url: string, prefix: string) {
    this.redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    this.redis.on("error", () => {});
    this.keys = redisKeys({ prefix });
  }

  async ready(): Promise<void> {
    for (let i = 0; i < 200 && this.redis.status !== "ready"; i++) await sleep(10);
  }

  /** Publishes until acknowledged (at most ~10 s); returns the history id. */
  async publish(seq: number, event: BookingEvent): Promise<string> {
    const { scope } = parseBookingEvent(event);
    const keys = [this.keys.history, ...versionKeysOf(this.keys, scope)];
    for (let attempt = 0; attempt < 500; attempt++) {
      try {
        const id = (await this.redis.eval(PUBLISH_SCRIPT, keys.length, ...keys, this.keys.channel, "1000", JSON.stringify(event))) as string;
        this.sentAt.set(seq, Date.now());
        return id;
      } catch {
        this.failures += 1;
        await sleep(20);
        const applied = await this.findInHistory(seq);
        if (applied) {
          this.sentAt.set(seq, Date.now());
          return applied;
        }
      }
    }
    throw new Error(`could not publish event ${seq}`);
  }

  /** The history id of event `seq` if the last entries hold it; undefined when absent or unreadable. */
  private async findInHistory(seq: number): Promise<string | undefined> {
    try {
      const entries = (await this.redis.xrevrange(this.keys.history, "+", "-", "COUNT", 50)) as Array<[string, string[]]>;
      const hit = entries.find(([, fields]) => (JSON.parse(fields[1] ?? "{}") as { data?: { seq?: number } }).data?.seq === seq);
      return hit?.[0];
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
