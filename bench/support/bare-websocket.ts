/**
 * The least WebSocket client a load generator needs (RFC 6455 over a plain
 * TCP socket): the opening handshake, masked text frames out, and frames in
 * parsed straight from each TCP read, with no stream or event per frame. A
 * `ws` client costs the generator more per frame than the server spends
 * sending it, which would make the benchmark measure the generator; this one
 * lets a single process receive a few hundred thousand frames a second.
 */
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";

export interface BareWebSocketHandlers {
  open(): void;
  /** A whole text or binary message; the buffer may be a view into a larger read. */
  message(data: Buffer): void;
  /** Once, however the connection ended (refused, closed by either side, or a protocol error). */
  close(): void;
}

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const HEADER_END = Buffer.from("\r\n\r\n");
const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

export class BareWebSocket {
  open = false;
  readonly #socket: net.Socket;
  readonly #handlers: BareWebSocketHandlers;
  readonly #key = randomBytes(16).toString("base64");
  /** Bytes of a frame (or of the handshake response) that the last read ended inside. */
  #pending: Buffer | undefined;
  /** Reads that arrived since, kept apart until there is enough for what is pending (so a large frame is copied once). */
  #more: Buffer[] = [];
  #moreBytes = 0;
  /** How many bytes the pending frame needs in all before parsing is worth trying again. */
  #needed = 0;
  /** The parts so far of a message sent in several frames. */
  #fragments: Buffer[] = [];
  #closed = false;

  constructor(url: URL, handlers: BareWebSocketHandlers) {
    this.#handlers = handlers;
    this.#socket = net.connect({ host: url.hostname, port: Number(url.port) });
    this.#socket.setNoDelay(true);
    this.#socket.on("connect", () => {
      this.#socket.write(
        `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${this.#key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    this.#socket.on("data", (chunk: Buffer) => (this.open ? this.#frames(chunk) : this.#handshake(chunk)));
    this.#socket.on("error", () => this.#end());
    this.#socket.on("close", () => this.#end());
  }

  /** Sends one text message. */
  send(text: string): void {
    if (this.open) this.#write(OP_TEXT, Buffer.from(text));
  }

  /** One final frame, masked as a client's must be. */
  #write(opcode: number, data: Buffer): void {
    const mask = randomBytes(4);
    const length = data.length;
    const header = Buffer.alloc(length < 126 ? 6 : length < 0x10000 ? 8 : 14);
    header[0] = 0x80 | opcode;
    if (length < 126) header[1] = 0x80 | length;
    else if (length < 0x10000) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(length, 2);
    } else {
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(length), 2);
    }
    mask.copy(header, header.length - 4);
    const payload = Buffer.alloc(length);
    for (let i = 0; i < length; i++) payload[i] = (data[i] as number) ^ (mask[i & 3] as number);
    this.#socket.write(Buffer.concat([header, payload]));
  }

  /** Drops the connection at once, as a lost network would. */
  terminate(): void {
    this.#socket.destroy();
    this.#end();
  }

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.open = false;
    this.#socket.destroy();
    this.#handlers.close();
  }

  #handshake(chunk: Buffer): void {
    const data = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
    const end = data.indexOf(HEADER_END);
    if (end < 0) {
      this.#pending = data;
      return;
    }
    this.#pending = undefined;
    const head = data.subarray(0, end).toString("latin1");
    const accept = createHash("sha1")
      .update(this.#key + GUID)
      .digest("base64");
    if (!head.startsWith("HTTP/1.1 101") || !head.includes(`ec-WebSocket-Accept: ${accept}`)) return this.terminate();
    this.open = true;
    this.#handlers.open();
    const rest = data.subarray(end + HEADER_END.length);
    if (rest.length > 0 && this.open) this.#frames(rest);
  }

  #frames(chunk: Buffer): void {
    const pending = this.#pending;
    if (pending !== undefined && pending.length + this.#moreBytes + chunk.length < this.#needed) {
      this.#more.push(chunk);
      this.#moreBytes += chunk.length;
      return;
    }
    const data = pending === undefined ? chunk : Buffer.concat([pending, ...this.#more, chunk]);
    this.#pending = undefined;
    this.#more = [];
    this.#moreBytes = 0;
    let at = 0;
    let needed = 0;
    while (this.open) {
      needed = 2;
      if (data.length - at < needed) break;
      const first = data[at] as number;
      const second = data[at + 1] as number;
      if ((second & 0x80) !== 0) return this.terminate(); // a server never masks
      let length = second & 0x7f;
      let start = at + 2;
      if (length === 126) {
        needed = 4;
        if (data.length - at < needed) break;
        length = data.readUInt16BE(at + 2);
        start = at + 4;
      } else if (length === 127) {
        needed = 10;
        if (data.length - at < needed) break;
        length = Number(data.readBigUInt64BE(at + 2));
        start = at + 10;
      }
      needed = start - at + length;
      if (data.length < start + length) break;
      this.#frame(first, data.subarray(start, start + length));
      at = start + length;
    }
    if (at < data.length && this.open) {
      this.#pending = data.subarray(at);
      this.#needed = needed;
    }
  }

  #frame(first: number, payload: Buffer): void {
    const fin = (first & 0x80) !== 0;
    const opcode = first & 0x0f;
    if (opcode === OP_CLOSE) return this.terminate();
    if (opcode === OP_PING) return this.#write(OP_PONG, payload);
    if (opcode !== OP_TEXT && opcode !== OP_BINARY && opcode !== OP_CONTINUATION) return; // a pong
    if (fin && this.#fragments.length === 0) return this.#handlers.message(payload);
    this.#fragments.push(Buffer.from(payload));
    if (!fin) return;
    const whole = Buffer.concat(this.#fragments);
    this.#fragments = [];
    this.#handlers.message(whole);
  }
}
