// The two kinds of client a load worker holds: a raw-socket SSE stream and a socket.io-client socket.
import { connect } from "node:net";
import { SseStream } from "./sse-stream.mjs";

/**
 * What a connection reports to its worker.
 *
 * @typedef {object} ConnectionSink
 * @property {(conn: Connection) => void} live - the stream is open (HTTP 200 / socket.io connect)
 * @property {(conn: Connection, data: string | object) => void} message - an event arrived
 * @property {(conn: Connection) => void} heartbeat
 * @property {(conn: Connection, reason: string) => void} lost - closed or failed without being asked
 */

/**
 * @typedef {object} ConnectionSpec
 * @property {"sse" | "socketio"} kind
 * @property {number} port
 * @property {string} path - request path with query (SSE)
 * @property {Record<string, string>} query - handshake query (socket.io)
 * @property {string} localAddress - source address on 127.0.0.0/8
 */

/** Common state of a client connection. */
export class Connection {
  /**
   * @param {number} index
   * @param {ConnectionSpec} spec
   * @param {ConnectionSink} sink
   */
  constructor(index, spec, sink) {
    this.index = index;
    this.spec = spec;
    this.sink = sink;
    this.isLive = false;
    /** @type {string | undefined} */
    this.lastEventId = undefined;
    this.reconnects = 0;
    /** Given up on (never went live before the connect deadline). */
    this.abandoned = false;
    /** @type {Uint8Array | undefined} events seen in the current window */
    this.seen = undefined;
  }
}

/** An SSE stream over a raw TCP socket with a hand-written HTTP request. */
export class SseConnection extends Connection {
  /** @type {import("node:net").Socket | undefined} */
  socket = undefined;

  open() {
    this.close();
    const { port, path, localAddress } = this.spec;
    const socket = connect({ host: "127.0.0.1", port, localAddress });
    this.socket = socket;
    const lastId = this.lastEventId;
    let settled = false;
    const stream = new SseStream({
      onHead: (status) => {
        if (status === 200) {
          this.isLive = true;
          this.sink.live(this);
        } else {
          settled = true;
          socket.destroy();
          this.sink.lost(this, `HTTP ${status}`);
        }
      },
      onEvent: (data, id) => {
        if (id !== undefined) this.lastEventId = id;
        this.sink.message(this, data);
      },
      onComment: () => this.sink.heartbeat(this),
    });
    socket.setNoDelay(true);
    socket.setEncoding("latin1");
    socket.on("connect", () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n` +
          (lastId === undefined ? "" : `Last-Event-ID: ${lastId}\r\n`) +
          "\r\n",
      );
    });
    socket.on("data", (chunk) => stream.push(/** @type {string} */ (/** @type {unknown} */ (chunk))));
    socket.on("error", () => {});
    socket.on("close", () => {
      if (this.socket !== socket) return; // replaced or closed on purpose
      this.socket = undefined;
      const wasLive = this.isLive;
      this.isLive = false;
      if (!settled) this.sink.lost(this, wasLive ? "closed" : "connect failed");
    });
  }

  close() {
    const socket = this.socket;
    this.socket = undefined;
    this.isLive = false;
    socket?.destroy();
  }
}

/** @type {typeof import("socket.io-client").io | undefined} */
let ioFactory;

/** Loads socket.io-client once, only in workers that drive Socket.IO. */
export async function loadSocketIo() {
  ioFactory ??= (await import("socket.io-client")).io;
}

/** A socket.io-client socket over the WebSocket transport, reconnected by the worker, not the library. */
export class SocketIoConnection extends Connection {
  /** @type {import("socket.io-client").Socket | undefined} */
  socket = undefined;

  open() {
    this.close();
    if (!ioFactory) throw new Error("call loadSocketIo() first");
    const { port, query, localAddress } = this.spec;
    const socket = ioFactory(`http://127.0.0.1:${port}`, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      timeout: 60_000,
      query,
      // engine.io-client passes localAddress through to the `ws` client.
      localAddress,
    });
    this.socket = socket;
    socket.on("connect", () => {
      this.isLive = true;
      this.sink.live(this);
    });
    socket.on("booking", (message) => this.sink.message(this, message));
    const onLost = (/** @type {string} */ reason) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.isLive = false;
      socket.removeAllListeners();
      socket.close();
      this.sink.lost(this, reason);
    };
    socket.on("connect_error", (error) => onLost(`connect_error: ${error.message}`));
    socket.on("disconnect", (reason) => onLost(reason));
    socket.io.on("ping", () => this.sink.heartbeat(this));
  }

  close() {
    const socket = this.socket;
    this.socket = undefined;
    this.isLive = false;
    if (socket) {
      socket.removeAllListeners();
      socket.close();
    }
  }
}
