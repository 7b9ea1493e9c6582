/**
 * Sits between a page and the Socket.IO server, on both transports
 * (long-polling requests and the WebSocket), to see what the page receives,
 * to hold messages back and let them through at once, and to cut the
 * connection. Install it before the page loads the board.
 */
import type { Page, WebSocketRoute } from "@playwright/test";

/** One Socket.IO packet the page received: an event (`42[...]`) or an ack (`43<id>[...]`). */
export interface Received {
  /** The Engine.IO session it came on: one per connection. */
  sid: string;
  kind: "event" | "ack";
  /** The event's name; empty for an ack. */
  event: string;
  args: unknown[];
}

export interface SocketTap {
  /** In the order they reached the tap. */
  readonly received: Received[];
  /** Each connection made, in order: its handshake query and its Engine.IO session. */
  readonly connections: { query: URLSearchParams; sid: string }[];
  /** True once Socket.IO moved the current connection onto the WebSocket, where holding works. */
  readonly upgraded: boolean;
  /** Keep back the WebSocket messages from the server that match (all by default) until `release`. */
  hold(match?: RegExp): void;
  /** Pass on everything held back, in order, in one go, and stop holding. */
  release(): void;
  readonly held: number;
  /** Drop the connection and refuse new ones until `restore`. Only after `upgraded`. */
  cut(): Promise<void>;
  restore(): void;
}

const PACKET = /^4([23])(\d*)(\[.*)$/s;

export async function tapSocket(page: Page): Promise<SocketTap> {
  const received: Received[] = [];
  const connections: { query: URLSearchParams; sid: string }[] = [];
  const open = new Set<WebSocketRoute>();
  const held: string[] = [];
  let holding: RegExp | undefined;
  let upgraded = false;
  let down = false;
  let forward: (message: string) => void = () => undefined;

  const record = (sid: string, message: string) => {
    const match = PACKET.exec(message);
    if (!match) return;
    const [, type, , json = "[]"] = match;
    const args = JSON.parse(json) as unknown[];
    if (type === "2") received.push({ sid, kind: "event", event: String(args.shift()), args });
    else received.push({ sid, kind: "ack", event: "", args });
  };

  await page.route(/\/socket\.io\//, async (route) => {
    const request = route.request();
    const query = new URL(request.url()).searchParams;
    if (down) return route.abort("connectionrefused").catch(() => undefined);
    const sid = query.get("sid");
    if (request.method() !== "GET") return route.continue().catch(() => undefined);
    try {
      const response = await route.fetch();
      const body = await response.text();
      let session = sid ?? "";
      if (sid === null) {
        // A handshake: its answer is Engine.IO's "open" packet, `0{"sid":...}`.
        session = (JSON.parse(body.slice(1).split("\x1e")[0] ?? "{}") as { sid?: string }).sid ?? "";
        upgraded = false;
        connections.push({ query, sid: session });
      }
      for (const message of body.split("\x1e")) record(session, message);
      await route.fulfill({ response, body });
    } catch {
      // The page or the server went away mid-request.
      await route.abort().catch(() => undefined);
    }
  });

  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (down) return void ws.close().catch(() => undefined);
    const sid = new URL(ws.url()).searchParams.get("sid") ?? "";
    const server = ws.connectToServer();
    open.add(ws);
    // Closing one side closes the other, as without the tap.
    ws.onClose(() => {
      open.delete(ws);
      server.close().catch(() => undefined);
    });
    server.onClose(() => {
      open.delete(ws);
      ws.close().catch(() => undefined);
    });
    ws.onMessage((message) => {
      if (message === "5") upgraded = true; // Engine.IO's "upgrade": polling is done, all traffic is here now
      server.send(message);
    });
    const send = (message: string) => ws.send(message);
    forward = send;
    server.onMessage((message) => {
      const text = String(message);
      record(sid, text);
      if (holding?.test(text)) held.push(text);
      else send(text);
    });
  });

  return {
    received,
    connections,
    get upgraded() {
      return upgraded;
    },
    hold(match = /^/) {
      holding = match;
    },
    release() {
      holding = undefined;
      for (const message of held.splice(0)) forward(message);
    },
    get held() {
      return held.length;
    },
    async cut() {
      down = true;
      await Promise.all([...open].map((ws) => ws.close()));
    },
    restore() {
      down = false;
    },
  };
}

/** The `board-events` batches and `board-snapshot`s received on one connection. */
export function boardMessages(tap: SocketTap, sid: string): Received[] {
  return tap.received.filter((r) => r.sid === sid && (r.event === "board-events" || r.event === "board-snapshot"));
}
