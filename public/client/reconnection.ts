/**
 * Staying connected. Socket.IO reconnects by itself after a lost
 * connection, a server restart or shutdown included (the server closes the
 * transport, and the client retries). It gives up only when the server means
 * it: a `disconnect(true)` (the flood guard cutting a connection off, a board
 * that failed to load, a removed player or a deleted board) or a handshake
 * refused by the server's middleware (a flood cool-down, a removed player).
 * Then we retry ourselves, backing off, unless the page has ended on this
 * board (`end()`): a removed player or a deleted board does not come back.
 */
import type { ConnectionStatus } from "./connection-status.js";
import type { CirclesSocket } from "./socket.js";

export interface ReconnectionOptions {
  socket: CirclesSocket;
  /** Connect again by hand, with a fresh `since`. */
  reconnect: () => void;
  status: ConnectionStatus;
  onError: (message: string) => void;
  onConnect: () => void;
  onDisconnect: () => void;
  /** A refused handshake that means this page must not come back (the host removed it); true when it was one, and handled. */
  isFinal: (message: string) => boolean;
}

const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30_000;

export class Reconnection {
  readonly #options: ReconnectionOptions;
  #retryDelayMs = FIRST_RETRY_MS;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;

  constructor(options: ReconnectionOptions) {
    this.#options = options;
    const { socket, status } = options;
    socket.on("connect", () => {
      this.#retryDelayMs = FIRST_RETRY_MS;
      clearTimeout(this.#retryTimer);
      status.set("connected");
      // After the rest of what came with the connection: a removed player's is closed at once, and asks nothing.
      queueMicrotask(() => {
        if (socket.connected && !this.#ended) options.onConnect();
      });
    });
    socket.on("disconnect", (reason) => {
      options.onDisconnect();
      if (this.#ended || reason === "io client disconnect") {
        status.set("offline");
      } else if (socket.active) {
        status.set("reconnecting", `Connection lost (${reason}); reconnecting…`);
      } else {
        status.set("reconnecting", "The server closed the connection; reconnecting…");
        this.#retryLater();
      }
    });
    socket.on("connect_error", (error) => {
      if (this.#ended) return;
      if (options.isFinal(error.message)) {
        this.end();
        return;
      }
      if (socket.active) {
        status.set("reconnecting", `Cannot reach the server (${error.message}); retrying…`);
      } else {
        status.set("offline", `The server refused the connection: ${error.message}`);
        options.onError(`Cannot join this board: ${error.message}`);
        this.#retryLater();
      }
    });
    socket.io.on("reconnect_attempt", () => status.set("reconnecting"));
  }

  /** Whether the page has ended on this board. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * No more connecting: the host removed this player, or deleted the board.
   * The server waits a moment for the page to close the connection itself
   * (`LEAVE_GRACE_MS` in socket/room-notices.ts), so that nothing under way
   * is cut off: it is closed here at once.
   */
  end(): void {
    this.#ended = true;
    clearTimeout(this.#retryTimer);
    const { socket, status } = this.#options;
    socket.io.reconnection(false);
    status.set("offline");
    socket.disconnect();
  }

  #retryLater(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(
      () => {
        if (!this.#options.socket.connected && !this.#ended) this.#options.reconnect();
      },
      this.#retryDelayMs * (0.75 + Math.random() / 2),
    );
    this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, LAST_RETRY_MS);
  }
}
