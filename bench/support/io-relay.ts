/**
 * The floor for protocol 2: a bare Socket.IO server that batches as circles
 * does and does nothing else. Every client of one room is sent an empty
 * `board-snapshot` and player list on connecting; each `add-circle` is given
 * a seq, an id and a time, acknowledged, and queued; what was queued goes to
 * the room as one `board-events` broadcast per tick: at the end of the
 * event-loop turn when nothing was sent in the last tick, otherwise when
 * the tick ends (circles' own leading edge). No validation, no store, no
 * presence. Usage, through fork(): io-relay.ts <tickMs>; it tells its parent
 * {type: "listening", port} and exits when the parent goes.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Server } from "socket.io";
import { leadingWindow } from "./leading-window.js";
import type { RelayMessage } from "./raw-relay.js";

const TICK_MS = Number(process.argv[2] ?? 33);

const http = createServer();
const io = new Server(http, { transports: ["websocket"] });
let seq = 0;
const relay = leadingWindow<object>(TICK_MS, (events) => io.emit("board-events", { events }));

io.on("connection", (socket) => {
  socket.emit("board-snapshot", { seq, circles: [] });
  socket.emit("update-player-list", []);
  socket.on("add-circle", (circle: object, ack?: (answer: object) => void) => {
    seq++;
    const stored = { id: randomUUID(), ...circle, createdAt: Date.now() };
    relay({ seq, type: "add", circle: stored });
    ack?.({ ok: true, circle: stored, seq });
  });
});
http.listen(0, "127.0.0.1", () => {
  const address = http.address();
  if (address !== null && typeof address === "object") process.send?.({ type: "listening", port: address.port } satisfies RelayMessage);
});
process.on("disconnect", () => process.exit(0));
