import { type Cluster, Redis } from "ioredis";
import { HubError } from "../errors.js";
import { clusterSlotOf } from "./cluster-slot.js";
import type { BrokerListener } from "./types.js";

type SlotsReply = Array<[from: number, to: number, master: [host: string, port: number, ...rest: unknown[]], ...replicas: unknown[]]>;

/** Delay before the n-th attempt to subscribe again: 50 ms doubling to 1 s. */
const retryDelay = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 5), 1_000);

/**
 * The sharded subscription of a Cluster hub: one plain connection to the master that serves the
 * channel's slot, `SSUBSCRIBE`d there. It follows the slot by itself: when the connection closes (the
 * master died), or when a periodic check finds that another node serves the slot now (a planned
 * failover or a slot migration, after which the old node unsubscribes its clients), it reports the
 * listener down, looks the owner up again in `CLUSTER SLOTS`, subscribes there and reports ready, and
 * the hub reads back from the history what it missed meanwhile.
 *
 * @internal
 */
export class ShardSubscriber {
  private sub: Redis | undefined;
  private node: string | undefined;
  private closed = false;
  private attempt = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private checking = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly channel: string,
    private readonly listener: BrokerListener,
    checkMs: number,
  ) {
    this.watchdog = setInterval(() => void this.check(), checkMs);
    this.watchdog.unref?.();
  }

  /** Subscribes for the first time; retries (bounded per attempt) until it is subscribed or closed. */
  async start(): Promise<void> {
    for (;;) {
      try {
        return await this.connect();
      } catch (error) {
        if (error instanceof HubError || this.closed) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryDelay(this.attempt++)));
      }
    }
  }

  /** Closes the subscription; no reconnection after this. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.watchdog);
    clearTimeout(this.retry);
    const sub = this.sub;
    this.sub = undefined;
    sub?.disconnect();
  }

  /** The master serving the channel's slot, as the first node that answers `CLUSTER SLOTS` says. */
  private async owner(): Promise<{ host: string; port: number }> {
    const slot = clusterSlotOf(this.channel);
    let lastError: unknown;
    // Connected nodes first; the cluster connects the others lazily, on their first command.
    const nodes = this.cluster.nodes("all").sort((x, y) => Number(y.status === "ready") - Number(x.status === "ready"));
    for (const node of nodes) {
      try {
        const slots = (await node.call("CLUSTER", "SLOTS")) as SlotsReply;
        const range = slots.find(([from, to]) => slot >= from && slot <= to);
        if (range) return { host: range[2][0], port: Number(range[2][1]) };
        lastError = new Error(`no node serves slot ${slot} yet`);
      } catch (error) {
        if (error instanceof Error && /cluster support disabled/i.test(error.message)) {
          throw new HubError("invalid_options", "this Redis has cluster support disabled: use a single-node broker (ioredisBroker / --redis), not a Cluster broker", { cause: error });
        }
        lastError = error;
      }
    }
    throw lastError ?? new Error("the cluster client knows no node yet");
  }

  private async connect(): Promise<void> {
    const { host, port } = await this.owner();
    const base = this.cluster.options.redisOptions ?? {};
    const sub = new Redis({
      ...base,
      host,
      port,
      lazyConnect: true,
      autoResubscribe: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null, // a lost connection means: look the owner up again
      connectTimeout: base.connectTimeout ?? 2_000,
    });
    sub.on("error", () => {});
    sub.on("smessage", (channel: string, message: string) => {
      if (channel === this.channel && sub === this.sub) this.listener.onMessage(message);
    });
    sub.once("close", () => this.lost(sub));
    try {
      await sub.connect();
      await sub.ssubscribe(this.channel); // MOVED when the slot moved on meanwhile: look it up again
    } catch (error) {
      sub.removeAllListeners("close");
      sub.disconnect();
      throw error;
    }
    if (this.closed) return sub.disconnect();
    this.sub = sub;
    this.node = `${host}:${port}`;
    this.attempt = 0;
    if (sub.status !== "ready") return this.lost(sub); // closed before we took it
    this.listener.onReady();
  }

  private lost(sub: Redis): void {
    if (sub !== this.sub || this.closed) return;
    this.sub = undefined;
    this.node = undefined;
    this.listener.onDown();
    this.reconnectSoon();
  }

  private reconnectSoon(): void {
    if (this.closed) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.connect().catch((error: unknown) => {
        if (this.closed) return;
        this.listener.onDown(error);
        this.attempt += 1;
        this.reconnectSoon();
      });
    }, retryDelay(this.attempt));
    this.retry.unref?.();
  }

  /** Moves the subscription when another node serves the slot now. */
  private async check(): Promise<void> {
    if (this.checking || this.closed || !this.sub || !this.node) return;
    this.checking = true;
    try {
      const { host, port } = await this.owner();
      if (`${host}:${port}` !== this.node) this.sub?.disconnect(); // `close` → lost → subscribe at the owner
    } catch {
      // No answer now: the connection's own `close` or the next check decides.
    } finally {
      this.checking = false;
    }
  }
}
