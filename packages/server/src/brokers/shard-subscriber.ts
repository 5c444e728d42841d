import { HubError } from "../errors.js";
import { clusterSlotOf } from "./cluster-slot.js";
import type { Broker, BrokerListener } from "./types.js";

/** A `CLUSTER SLOTS` reply. @internal */
export type SlotsReply = Array<[from: number, to: number, master: [host: string, port: number, ...rest: unknown[]], ...replicas: unknown[]]>;

/** One sharded subscription connection, as a {@link ShardConnector} opens it. @internal */
export interface ShardConnection {
  /** Whether it is still connected. */
  readonly alive: boolean;
  /** Closes it now (its `onClose` then fires if it had not). */
  close(): void;
}

/**
 * What a {@link ShardSubscriber} needs from a Redis client library: `CLUSTER SLOTS` from any node,
 * and a plain connection to one node, `SSUBSCRIBE`d to one channel. @internal
 */
export interface ShardConnector {
  /** `CLUSTER SLOTS` as some node of the cluster answers it. */
  slots(): Promise<SlotsReply>;
  /**
   * Connects to `host:port` without reconnecting by itself, and `SSUBSCRIBE`s `channel` there;
   * rejects (and leaves nothing open) when either fails. `onClose` fires once when it is lost later.
   */
  open(host: string, port: number, channel: string, onMessage: (message: string) => void, onClose: () => void): Promise<ShardConnection>;
  /**
   * Called once the subscription moved to another node, before the hub is told it is ready (and reads
   * the history): a client that does not notice failovers by itself refreshes its slot map here.
   */
  moved?(): Promise<void>;
  /** Called once by `close()`: removes what the connector attached to the app's client. */
  dispose?(): void;
}

/** The slot owner in a `CLUSTER SLOTS` reply. @internal */
export function ownerIn(slots: SlotsReply, slot: number): { host: string; port: number } | undefined {
  const range = slots.find(([from, to]) => slot >= from && slot <= to);
  return range ? { host: range[2][0], port: Number(range[2][1]) } : undefined;
}

/** Whether a Redis error says the node is not a Cluster node. @internal */
export const isClusterDisabled = (error: unknown): boolean => error instanceof Error && /cluster support disabled/i.test(error.message);

/** How long a `CLUSTER SLOTS` look-up and a subscription attempt may take (some clients have no timeout). */
const SLOTS_TIMEOUT_MS = 2_000;
const OPEN_TIMEOUT_MS = 5_000;

/** `promise`, or a rejection after `ms`; what it resolves to after that goes to `late`. */
async function bounded<T>(promise: Promise<T>, ms: number, what: string, late?: (value: T) => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new Error(`${what} took longer than ${ms} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (timedOut) promise.then(late, () => {});
  }
}

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
  private sub: ShardConnection | undefined;
  private node: string | undefined;
  /** The node of the last subscription, kept across losses to notice a move. */
  private lastNode: string | undefined;
  private closed = false;
  private attempt = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private checking = false;

  constructor(
    private readonly connector: ShardConnector,
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
    if (!this.closed) this.connector.dispose?.();
    this.closed = true;
    clearInterval(this.watchdog);
    clearTimeout(this.retry);
    const sub = this.sub;
    this.sub = undefined;
    sub?.close();
  }

  /** The master serving the channel's slot now. */
  private async owner(): Promise<{ host: string; port: number }> {
    const slot = clusterSlotOf(this.channel);
    let slots: SlotsReply;
    try {
      slots = await bounded(this.connector.slots(), SLOTS_TIMEOUT_MS, "CLUSTER SLOTS");
    } catch (error) {
      if (!isClusterDisabled(error)) throw error;
      throw new HubError("invalid_options", "this Redis has cluster support disabled: use a single-node broker (--redis), not a Cluster broker", { cause: error });
    }
    const owner = ownerIn(slots, slot);
    if (!owner) throw new Error(`no node serves slot ${slot} yet`);
    return owner;
  }

  private async connect(): Promise<void> {
    const { host, port } = await this.owner();
    let conn: ShardConnection | undefined;
    const opening = this.connector.open(
      host,
      port,
      this.channel,
      (message) => {
        if (conn !== undefined && conn === this.sub) this.listener.onMessage(message);
      },
      () => {
        if (conn !== undefined) this.lost(conn);
      },
    );
    const sub = await bounded(opening, OPEN_TIMEOUT_MS, `subscribing at ${host}:${port}`, (late) => late.close());
    conn = sub;
    if (this.closed) return sub.close();
    const movedFrom = this.lastNode;
    this.sub = sub;
    this.node = this.lastNode = `${host}:${port}`;
    if (movedFrom !== undefined && movedFrom !== this.node && this.connector.moved) {
      await bounded(this.connector.moved(), SLOTS_TIMEOUT_MS, "refreshing the slot map").catch(() => {});
    }
    this.attempt = 0;
    if (!sub.alive) return this.lost(sub); // closed before we took it
    this.listener.onReady();
  }

  private lost(sub: ShardConnection): void {
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
      if (`${host}:${port}` !== this.node) this.sub?.close(); // `onClose` → lost → subscribe at the owner
    } catch {
      // No answer now: the connection's own `close` or the next check decides.
    } finally {
      this.checking = false;
    }
  }
}

/**
 * The one subscription of a Cluster broker, on any client's shards: `subscribe` starts a
 * {@link ShardSubscriber} on the channel's slot (one per broker), `close` ends it. Shared by the
 * ioredis and node-redis Cluster brokers.
 *
 * @param shards - how the client reaches the slot's nodes
 * @param channel - the sharded channel
 * @param ownerCheckMs - how often the slot's owner is checked (50-60000 ms)
 * @throws `HubError` `invalid_options` for an `ownerCheckMs` out of range
 * @internal
 */
export function shardedSubscription(shards: ShardConnector, channel: string, ownerCheckMs = 1_000): Pick<Broker, "subscribe" | "close"> {
  if (!(Number.isInteger(ownerCheckMs) && ownerCheckMs >= 50 && ownerCheckMs <= 60_000)) throw new HubError("invalid_options", "ownerCheckMs must be 50-60000");
  let subscriber: ShardSubscriber | undefined;
  return {
    async subscribe(listener: BrokerListener) {
      if (subscriber) throw new HubError("invalid_options", "a broker has one subscription; create one broker per hub");
      const sub = new ShardSubscriber(shards, channel, listener, ownerCheckMs);
      subscriber = sub;
      try {
        await sub.start();
      } catch (error) {
        if (subscriber === sub) subscriber = undefined;
        await sub.close();
        throw error;
      }
    },
    async close() {
      const sub = subscriber;
      subscriber = undefined;
      await sub?.close();
    },
  };
}
