/**
 * A bare client of the circles server over `bare-websocket.ts`, speaking Engine.IO v4 /
 * Socket.IO v5 framing itself (WebSocket transport only), so that thousands
 * fit in one process: it answers pings, connects the namespace, numbers
 * acknowledgements, and hands every other frame over as the raw bytes. In
 * `raw` mode it speaks to the raw relay instead: no handshake, frames as is.
 * It reconnects, when asked to, on socket.io-client's default schedule.
 */
import { BareWebSocket } from "./bare-websocket.js";

/**
 * Where clients connect: the circles server, a bare Socket.IO relay (`io`,
 * spoken to as the server is) or a bare `ws` relay (`raw`). `spread`: the
 * ports of further nodes, client i going to the i-th of all of them in turn.
 */
export type Target = { kind: "circles" | "io"; port: number; spread?: number[] } | { kind: "raw"; port: number };

export interface WireClientOptions {
  target: Target;
  board: string;
  protocol: 1 | 2;
  /** Every frame that is not a ping, a handshake or an ack: `42[...]` events (raw: whatever arrives). */
  onFrame(client: WireClient, frame: Buffer): void;
  /** The namespace is connected (raw: the WebSocket is open). */
  onConnect?(client: WireClient): void;
  /** The connection ended; `willRetry` when it will reconnect by itself. */
  onClose?(client: WireClient, willRetry: boolean): void;
  /** The server refused the namespace (`44{message}`). */
  onRefused?(client: WireClient, message: string): void;
}

// Bytes of the frames the client must recognise.
const C0 = 0x30;
const C2 = 0x32;
const C3 = 0x33;
const C4 = 0x34;

/** socket.io-client's defaults: 1 s doubling up to 5 s, each ± 50 %. */
const RECONNECT_BASE_MS = 1_000;
const RECONNECT_MAX_MS = 5_000;

export class WireClient {
  readonly options: WireClientOptions;
  /** The last seq this client applied (protocol 2 sends it back as `since` on reconnecting). */
  lastSeq = -1;
  connected = false;
  reconnect = false;
  #ws: BareWebSocket | undefined;
  #nextAck = 0;
  #acks = new Map<number, (frame: Buffer) => void>();
  #attempts = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: WireClientOptions) {
    this.options = options;
    this.#open();
  }

  /** Sends `42[...]` (`body` is the JSON array text); with `onAck`, numbers it and calls back with the `43` frame. */
  emit(body: string, onAck?: (frame: Buffer) => void): boolean {
    const ws = this.#ws;
    if (ws === undefined || !ws.open) return false;
    if (onAck === undefined || this.options.target.kind === "raw") {
      ws.send(`42${body}`);
      return true;
    }
    const id = this.#nextAck++;
    this.#acks.set(id, onAck);
    ws.send(`42${id}${body}`);
    return true;
  }

  /** Closes for good: no reconnecting. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#ws?.terminate();
  }

  #url(): string {
    const { target, board, protocol } = this.options;
    if (target.kind === "raw") return `ws://127.0.0.1:${target.port}/`;
    let query = `EIO=4&transport=websocket&board=${encodeURIComponent(board)}`;
    if (protocol === 2) query += `&protocol=2${this.lastSeq >= 0 ? `&since=${this.lastSeq}` : ""}`;
    return `ws://127.0.0.1:${target.port}/socket.io/?${query}`;
  }

  #open(): void {
    const raw = this.options.target.kind === "raw";
    const ws: BareWebSocket = new BareWebSocket(new URL(this.#url()), {
      open: () => {
        if (raw) this.#connected();
      },
      message: (data) => this.#frame(ws, data, raw),
      // A refused or reset connection ends here too.
      close: () => {
        if (this.#ws !== ws) return;
        this.connected = false;
        this.#acks.clear();
        const retry = this.reconnect && !this.#closed;
        this.options.onClose?.(this, retry);
        if (retry) this.#retry();
      },
    });
    this.#ws = ws;
  }

  #connected(): void {
    this.connected = true;
    this.#attempts = 0;
    this.options.onConnect?.(this);
  }

  #retry(): void {
    const base = Math.min(RECONNECT_BASE_MS * 2 ** this.#attempts++, RECONNECT_MAX_MS);
    this.#timer = setTimeout(() => this.#open(), base * (0.5 + Math.random()));
  }

  #frame(ws: BareWebSocket, data: Buffer, raw: boolean): void {
    if (raw) return this.options.onFrame(this, data);
    const first = data[0];
    if (first === C2 && data.length === 1) return ws.send("3"); // ping -> pong
    if (first === C0) return ws.send("40"); // Engine.IO open -> connect the namespace
    if (first !== C4) return;
    const second = data[1];
    if (second === C2) return this.options.onFrame(this, data);
    if (second === C3) {
      let i = 2;
      let id = 0;
      for (let c = data[i]; c !== undefined && c >= C0 && c <= C0 + 9; c = data[++i]) id = id * 10 + (c - C0);
      const callback = this.#acks.get(id);
      if (callback === undefined) return;
      this.#acks.delete(id);
      return callback(data);
    }
    if (second === C0) return this.#connected();
    if (second === C4) {
      const message = (JSON.parse(data.subarray(2).toString()) as { message?: string }).message ?? "refused";
      this.options.onRefused?.(this, message);
    }
  }
}
