/**
 * Several nodes on one shared store: each announces the changes its own
 * writes stored to the others through the Socket.IO adapter
 * (`serverSideEmit`, which the Redis Streams adapter sends by Pub/Sub: one
 * lost with Redis is made up from the store, see `GAP_WAIT_MS`), and
 * applies theirs to its live boards. Every node then relays
 * every change to its own sockets, as if it had stored it, so broadcasts
 * stay local (`io.local`): what crosses nodes is one message per write, not
 * one per socket.
 *
 * Who is on a board is not a message but shared state: see
 * `lib/live-state/redis-live-state.ts`.
 */
import type { BoardService } from "../../lib/board/board-service.js";
import type { Logger } from "../../lib/ops/logger.js";
import { parseBoardChanges, parseBoardNotice } from "../../lib/protocol/schemas.js";
import type { CirclesServer } from "../types.js";

/** How long after a reconnection the boards are read once more: the adapter's own subscription comes back in its own time. */
const SECOND_CATCH_UP_MS = 3_000;

/**
 * `onReconnect`: called when this node's Redis connection is back after an
 * outage. Announcements sent meanwhile, by this node or to it, may be lost
 * with no later change to reveal the gap, so every node reads its live
 * boards again from the store; and so it does when a node starts, in case
 * it was that node's last run that lost them.
 */
export function shareChangesAcrossNodes(io: CirclesServer, boards: BoardService, logger: Logger, onReconnect: (listener: () => void) => void): void {
  const catchUp = () => {
    boards.catchUp();
    setTimeout(() => boards.catchUp(), SECOND_CATCH_UP_MS).unref();
  };
  onReconnect(() => {
    catchUp();
    io.serverSideEmit("catch-up");
  });
  // A node that stopped between a commit and its announcement (killed, or cut off from Redis first)
  // left the others behind with nothing to show it: starting again, it has them read their boards.
  io.serverSideEmit("catch-up");
  io.on("catch-up", catchUp);
  boards.subscribeOwnWrites({
    changed(board, events) {
      io.serverSideEmit("board-changes", { board, events: [...events] });
    },
    // Who cleared, and a host's settings: after the changes they follow, by the same channel. One
    // lost with Redis is made good from the store when this node next finds it behind (`BoardService`).
    noticed(board, notice) {
      io.serverSideEmit("board-notice", { board, notice });
    },
  });
  io.on("board-changes", (changes: unknown) => {
    const parsed = parseBoardChanges(changes);
    if (!parsed.ok) return logger.warn({ error: parsed.error }, "ignored board changes from another node");
    boards.applyRemote(parsed.value.board, parsed.value.events);
  });
  io.on("board-notice", (notice: unknown) => {
    const parsed = parseBoardNotice(notice);
    if (!parsed.ok) return logger.warn({ error: parsed.error }, "ignored a board notice from another node");
    boards.applyRemoteNotice(parsed.value.board, parsed.value.notice);
  });
}
