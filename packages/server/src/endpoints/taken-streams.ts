import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Connection } from "../fanout/connection.js";
import type { NodeSink } from "../http/node-sink.js";
import { takeSocket } from "../http/take-socket.js";

/**
 * The streams whose sockets were taken from node:http (see `takeSocket`), each with its connection:
 * one `close` listener for all of them, and the list a shutdown cuts at its deadline (node:http's
 * `closeAllConnections()` no longer knows these sockets).
 *
 * @internal
 */
export class TakenStreams {
  private readonly streams = new Map<Socket, Connection>();
  private readonly onClose: (this: Socket) => void;

  /** @param leave - takes a connection out of the hub when its socket closes */
  constructor(leave: (connection: Connection | undefined) => void) {
    const streams = this.streams;
    this.onClose = function onTakenStreamClose(this: Socket): void {
      const connection = streams.get(this);
      streams.delete(this);
      leave(connection);
    };
  }

  /**
   * Takes the socket of `connection`'s stream, whose head and preamble were just written, if it can:
   * the sink then writes to the socket, and the socket's `close` takes the connection out.
   */
  take(req: IncomingMessage, res: ServerResponse, sink: NodeSink, connection: Connection): void {
    const socket = takeSocket(req, res);
    if (!socket) return;
    sink.own(socket);
    this.streams.set(socket, connection);
    socket.on("close", this.onClose);
  }

  /** Destroys every taken socket still open. */
  cut(): void {
    for (const socket of this.streams.keys()) socket.destroy();
  }
}
