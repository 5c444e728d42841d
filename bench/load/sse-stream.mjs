// An incremental HTTP/1.1 response + chunked + SSE parser for one raw socket: cheap enough to run
// thousands per process. Text is handled as latin1 so chunk sizes (bytes) equal string lengths.

/**
 * @typedef {object} SseHandlers
 * @property {(status: number, head: string) => void} onHead - response status line and headers arrived
 * @property {(data: string, id: string | undefined) => void} onEvent - an event with data was dispatched
 * @property {() => void} onComment - a comment line (a heartbeat) arrived
 */

/**
 * Parses one HTTP response carrying an SSE stream, fed with latin1 strings as they arrive.
 * Understands `Transfer-Encoding: chunked` and plain bodies, LF and CRLF line ends (a lone CR is
 * not needed by any server under test and is not treated as a line end).
 */
export class SseStream {
  /** @param {SseHandlers} handlers */
  constructor(handlers) {
    this.handlers = handlers;
    /** @type {"head" | "body"} */
    this.phase = "head";
    this.head = "";
    this.chunked = false;
    this.remaining = 0; // bytes left in the current chunk
    this.skip = 0; // CRLF bytes to skip after a chunk
    this.sizeLine = "";
    this.text = "";
    this.data = "";
    this.hasData = false;
    /** The `event:` field of the event being read. */
    this.event = "";
    /** @type {string | undefined} */
    this.id = undefined;
  }

  /** @param {string} input - latin1 text from the socket */
  push(input) {
    let s = input;
    if (this.phase === "head") {
      this.head += s;
      const end = this.head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = this.head.slice(0, end);
      s = this.head.slice(end + 4);
      this.head = "";
      this.phase = "body";
      this.chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
      this.handlers.onHead(Number.parseInt(head.slice(9, 12), 10), head);
    }
    if (this.chunked) this.dechunk(s);
    else this.text += s;
    this.lines();
  }

  /** @param {string} s */
  dechunk(s) {
    let i = 0;
    const n = s.length;
    while (i < n) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, n - i);
        this.text += take === n && i === 0 ? s : s.slice(i, i + take);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.skip = 2;
        continue;
      }
      if (this.skip > 0) {
        this.skip--;
        i++;
        continue;
      }
      const nl = s.indexOf("\n", i);
      if (nl < 0) {
        this.sizeLine += s.slice(i);
        return;
      }
      const size = Number.parseInt(this.sizeLine + s.slice(i, nl), 16);
      this.sizeLine = "";
      i = nl + 1;
      if (size === 0 || Number.isNaN(size)) {
        this.remaining = 0;
        return; // end of body (or garbage): the socket's close ends the stream
      }
      this.remaining = size;
    }
  }

  lines() {
    const text = this.text;
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      this.line(start === 0 && end === text.length ? text : text.slice(start, end));
      start = nl + 1;
    }
    this.text = start === 0 ? text : text.slice(start);
  }

  /** @param {string} line */
  line(line) {
    if (line.length === 0) {
      // The hub's heartbeat is a named event (`event: heartbeat`), other systems' a comment: both are heartbeats.
      if (this.hasData) this.event === "heartbeat" ? this.handlers.onComment() : this.handlers.onEvent(this.data, this.id);
      this.data = "";
      this.hasData = false;
      this.event = "";
      return;
    }
    const c = line.charCodeAt(0);
    if (c === 58 /* : */) {
      this.handlers.onComment();
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") {
      this.data = this.hasData ? `${this.data}\n${value}` : value;
      this.hasData = true;
    } else if (field === "event") {
      this.event = value;
    } else if (field === "id") {
      if (!value.includes("\0")) this.id = value;
    }
  }
}

/**
 * The number that follows `key` in `text` (e.g. `"sent_at":`), or NaN.
 *
 * @param {string} text
 * @param {string} key
 */
export function numberAfter(text, key) {
  const at = text.indexOf(key);
  if (at < 0) return Number.NaN;
  return Number.parseFloat(text.slice(at + key.length, at + key.length + 32));
}
