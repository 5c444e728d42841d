import { type EventId, redisKeys } from "@realtime-bookings/protocol";
import { describe, expect, it } from "vitest";
import type { Broker, HistoryEntry, HistoryPage } from "../src/brokers/types.js";
import { ChannelFeed, type FeedObserver, type FeedSink } from "../src/feed/channel-feed.js";

const json = (n: number) => JSON.stringify({ type: "create", data: { id: n, specialist_id: 1, workpoint_id: 1 } });
const message = (n: number) => `{"id":"${n}-0",${json(n).slice(1)}`;

/** A broker whose history is a plain array, so the test controls exactly what recovery reads. */
function scriptedBroker(history: HistoryEntry[]): Broker {
  return {
    keys: redisKeys(),
    kind: "scripted",
    publish: async () => "0-0" as EventId,
    subscribe: async () => {},
    readVersion: async () => 0,
    async readHistory(after): Promise<HistoryPage> {
      const n = Number(after.split("-")[0]);
      return { status: "ok", entries: history.filter((e) => Number(e.id.split("-")[0]) > n), truncated: false };
    },
    newestId: async () => history.at(-1)?.id,
    ping: async () => {},
    close: async () => {},
  };
}

function recordingTarget() {
  const delivered: number[] = [];
  const target: FeedSink & FeedObserver = {
    deliver: (frame) => void delivered.push(Number(/"data":\{"id":(\d+)/.exec(new TextDecoder().decode(frame.bytes))?.[1])),
    resyncAll: () => void delivered.push(-1),
    remember: () => {},
    rejected: () => {},
    brokerState: () => {},
  };
  return { delivered, target };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

/** A started, subscribed feed on a scripted history that has delivered `events` live, one by one. */
async function liveFeed(events: number[]) {
  const history: HistoryEntry[] = [];
  const publish = (n: number, body = n) => history.push({ id: `${n}-0` as EventId, json: json(body) });
  const { delivered, target } = recordingTarget();
  const feed = new ChannelFeed(scriptedBroker(history), target, target, {}, 100, (call) => call());
  await feed.start();
  feed.onReady();
  await tick();
  for (const n of events) {
    publish(n);
    feed.onMessage(message(n));
    await tick();
  }
  return { history, publish, delivered, feed };
}

describe("ChannelFeed recovery", () => {
  it("holds live messages that arrive after a reconnection until the gap is read back, so none is skipped", async () => {
    const history: HistoryEntry[] = [];
    const publish = (n: number) => history.push({ id: `${n}-0` as EventId, json: json(n) });
    const { delivered, target } = recordingTarget();
    const feed = new ChannelFeed(scriptedBroker(history), target, target, {}, 100, (call) => call());
    await feed.start();
    feed.onReady();
    await tick();
    publish(1);
    feed.onMessage(message(1));
    feed.onDown();
    // 2, 3 and 4 are published while down. After the resubscribe, 5 arrives live BEFORE recovery starts.
    [2, 3, 4, 5].forEach(publish);
    feed.onMessage(message(5));
    feed.onReady();
    await tick();
    publish(6);
    feed.onMessage(message(6));
    await tick();
    expect(delivered).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("delivers an event that lands between the start-point read and the subscribe", async () => {
    const history: HistoryEntry[] = [];
    const { delivered, target } = recordingTarget();
    const feed = new ChannelFeed(scriptedBroker(history), target, target, {}, 100, (call) => call());
    await feed.start(); // the start point: an empty history
    history.push({ id: "1-0" as EventId, json: json(1) }); // published before the subscription is active
    feed.onReady(); // the first read catches up
    await tick();
    feed.onMessage(message(1)); // the live message arrives after the read
    await tick();
    expect(delivered).toEqual([1]);
  });

  it("drops a message it already delivered (same history id)", async () => {
    const history: HistoryEntry[] = [];
    const { delivered, target } = recordingTarget();
    const feed = new ChannelFeed(scriptedBroker(history), target, target, {}, 100, (call) => call());
    await feed.start();
    feed.onReady();
    await tick();
    history.push({ id: "6-0" as EventId, json: json(6) }, { id: "7-0" as EventId, json: json(7) });
    feed.onMessage(message(7));
    await tick();
    feed.onMessage(message(7));
    feed.onMessage(message(6));
    await tick();
    expect(delivered).toEqual([6, 7]);
  });

  it("noted late (Redis away at start), the start point stays before a message already waiting: it is delivered, not taken as known", async () => {
    const history: HistoryEntry[] = [];
    const { delivered, target } = recordingTarget();
    let down = true;
    const inner = scriptedBroker(history);
    const broker: Broker = {
      ...inner,
      newestId: async () => (down ? Promise.reject(new Error("Redis is away")) : inner.newestId()),
      readRecent: async (limit: number) => (down ? Promise.reject(new Error("Redis is away")) : history.slice(-limit)),
    };
    const feed = new ChannelFeed(broker, target, target, {}, 100, (call) => call());
    await feed.start(); // the start point could not be read
    feed.onReady();
    await tick();
    down = false;
    history.push({ id: "1-0" as EventId, json: json(1) }); // published, and in the history before the feed reads it
    feed.onMessage(message(1));
    await tick();
    await new Promise((r) => setTimeout(r, 1200)); // past the retries of the failed reads
    expect(delivered).toEqual([1]);
  });

  /** A started feed over a scripted history, recording what it delivers and what it rejects (by field). */
  async function rejectingFeed() {
    const history: HistoryEntry[] = [];
    const rejected: string[] = [];
    const { delivered, target } = recordingTarget();
    const feed = new ChannelFeed(scriptedBroker(history), target, { ...target, rejected: (e) => void rejected.push(e.field ?? e.code) }, {}, 100, (call) => call());
    await feed.start();
    feed.onReady();
    await tick();
    return { history, rejected, delivered, feed };
  }

  it("rejects an id the history does not hold, and it moves nothing: later events still arrive", async () => {
    const { history, rejected, delivered, feed } = await rejectingFeed();
    feed.onMessage(`{"id":"999999999999999-0",${json(666).slice(1)}`); // a forged far-future id
    await tick();
    history.push({ id: "1-0" as EventId, json: json(1) });
    feed.onMessage(message(1));
    feed.onMessage(`{"id":"1-0",${json(667).slice(1)}`); // a real id with a forged body
    await tick();
    history.push({ id: "2-0" as EventId, json: json(2) });
    feed.onMessage(message(2));
    await tick();
    expect({ delivered, rejected }).toEqual({ delivered: [1, 2], rejected: ["id", "id"] });
    expect(feed.tail.replayAfter("1-0" as EventId, 100)).toMatchObject({ status: "ok", lastId: "2-0" });
  });

  it("a forged body that rings before the real message: the history's event goes out, the forgery is rejected", async () => {
    const { history, rejected, delivered, feed } = await rejectingFeed();
    history.push({ id: "1-0" as EventId, json: json(1) });
    feed.onMessage(`{"id":"1-0",${json(667).slice(1)}`); // the real id, another event: read with the history's
    feed.onMessage(message(1));
    await tick();
    expect({ delivered, rejected }).toEqual({ delivered: [1], rejected: ["id"] });
  });

  it("a history that went back after a failover (unreplicated writes lost) is a resync point, not a stall", async () => {
    const { history, publish, delivered, feed } = await liveFeed([1, 2, 3, 4, 5]);
    // The master dies; the promoted replica had only 1-3. Its clock is behind: new ids 4 and 5 again.
    feed.onDown();
    history.splice(3);
    feed.onReady();
    await tick();
    publish(4, 40);
    feed.onMessage(`{"id":"4-0",${json(40).slice(1)}`);
    publish(5, 50);
    feed.onMessage(`{"id":"5-0",${json(50).slice(1)}`);
    await tick();
    expect(delivered).toEqual([1, 2, 3, 4, 5, -1, 40, 50]);
  });

  it("a history that forked in a failover (the hub read the old master while the new one took other writes) is a resync point, not a silent skip", async () => {
    const { history, publish, delivered, feed } = await liveFeed([1, 2, 3, 5]);
    // The promoted replica had 1-3 and then took 4 and 6 from the publisher, while this hub still read
    // 5 from the old master, which is now demoted and its 5 gone. Reading after 5 would skip 4 for good.
    feed.onDown();
    history.splice(3, 1);
    publish(4);
    publish(6);
    feed.onReady();
    await tick();
    publish(7);
    feed.onMessage(message(7));
    await tick();
    expect(delivered).toEqual([1, 2, 3, 5, -1, 7]);
  });
});
