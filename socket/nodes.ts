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
import type { BoardService } from "../lib/board-service.js";
import type { Logger } from "../lib/logger.js";
import { parseBoardChanges, parseBoardNotice } from "../lib/schemas.js";
import type { CirclesServer } from "./types.js";

export function shareChangesAcrossNodes(io: CirclesServer, boards: BoardService, logger: Logger): void {
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
