/**
 * The floor the fan-out benchmark holds the server to: the best relay of
 * one board this machine runs, in a few lines of bare `ws`. Every text
 * message it receives is framed once, and whatever arrived within a window
 * goes to every connected client, sender included, in one write per socket:
 * at the end of the event-loop turn when nothing was sent in the last
 * WINDOW_MS (the leading edge), otherwise when the window ends. No
 * acknowledgements, no board, no parsing.
 * Usage, through fork(): window-relay.ts <windowMs>; it tells its parent
 * {type: "listening", port} and exits when the parent goes.
 */
import type { Socket } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { textFrameHeader } from "../../socket/relay/lesson-frames.js";
import { leadingWindow } from "./leading-window.js";
import type { RelayMessage } from "./raw-relay.js";

const WINDOW_MS = Number(process.argv[2] ?? 10);

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
/** Each client's TCP socket: written directly, as nothing else writes to it here. */
const sockets = new Map<WebSocket, Socket>();
const relay = leadingWindow<Buffer>(WINDOW_MS, (frames) => {
  const wire = Buffer.concat(frames);
  for (const socket of sockets.values()) socket.write(wire);
});

wss.on("connection", (ws) => {
  sockets.set(ws, (ws as unknown as { _socket: Socket })._socket);
  ws.on("close", () => sockets.delete(ws));
  // The clients here send text only.
  ws.on("message", (data: Buffer) => {
    relay(Buffer.concat([textFrameHeader(data.length), data]));
  });
});
wss.on("listening", () => {
  const address = wss.address();
  if (address !== null && typeof address === "object") process.send?.({ type: "listening", port: address.port } satisfies RelayMessage);
});
process.on("disconnect", () => process.exit(0));
