/**
 * The floor the fan-out benchmark compares the server with: a minimal `ws`
 * server on 127.0.0.1 that sends every text message it receives to every
 * connected client, sender included, one frame each, and does nothing else.
 * Usage, through fork(): raw-relay.ts; it tells its parent
 * {type: "listening", port} and exits when the parent goes.
 */
import { WebSocketServer } from "ws";

export type RelayMessage = { type: "listening"; port: number };

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => {
    for (const client of wss.clients) client.send(data, { binary: isBinary });
  });
});
wss.on("listening", () => {
  const address = wss.address();
  if (address !== null && typeof address === "object") process.send?.({ type: "listening", port: address.port } satisfies RelayMessage);
});
process.on("disconnect", () => process.exit(0));
