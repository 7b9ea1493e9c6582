/**
 * A child process holding `count` client connections on one board, so that
 * the server's process holds only the server's side of them (for memory
 * figures). Usage, through fork(): client-swarm.ts <url> <board> <count>.
 * Tells its parent {type: "ready"} once every client has its snapshot,
 * disconnects and exits on "close", and never outlives MAX_LIFETIME_MS.
 */
import { closeAll, connectMany, type BenchClient } from "./clients.js";

const MAX_LIFETIME_MS = 60_000;

export type SwarmMessage = { type: "ready"; count: number } | { type: "error"; message: string };

const [url, board, countText] = process.argv.slice(2);
if (url === undefined || board === undefined || countText === undefined || !process.send) {
  throw new Error("usage (through fork): client-swarm.ts <url> <board> <count>");
}
const send = (message: SwarmMessage) => process.send?.(message);

let clients: BenchClient[] = [];
const lifetime = setTimeout(() => finish(1), MAX_LIFETIME_MS);

function finish(code: number): void {
  clearTimeout(lifetime);
  closeAll(clients);
  // Let the close frames go out before the process ends.
  setTimeout(() => process.exit(code), 100).unref();
}

process.on("message", (message) => {
  if (message === "close") finish(0);
});
process.on("disconnect", () => finish(0));

try {
  clients = await connectMany(url, board, Number(countText));
  send({ type: "ready", count: clients.length });
} catch (error) {
  send({ type: "error", message: error instanceof Error ? error.message : String(error) });
  finish(1);
}
