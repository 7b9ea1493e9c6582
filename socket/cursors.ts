/**
 * Live pointers: each player's moves are kept to the last per tick and sent
 * to the board's `protocol=2` clients as one volatile `cursors` message, so
 * a busy board costs one small message per tick however fast people move,
 * and a slow client misses moves rather than queueing them. The message goes
 * through the adapter: the other nodes' sockets see this node's pointers.
 * A pointer goes when its player leaves the list, or after a few seconds
 * still (the client's part).
 */
import type { CursorMoves, CursorPosition } from "../lib/protocol/events.js";
import type { Logger } from "../lib/ops/logger.js";
import { TickQueue } from "../lib/board/tick-queue.js";
import { TICK_MS } from "./relay/fanout.js";
import { roomOf } from "./rooms.js";
import type { CirclesServer } from "./types.js";

type Move = CursorMoves["cursors"][number];

export interface Cursors {
  moved(board: string, id: string, position: CursorPosition): void;
}

export function createCursors(io: CirclesServer, logger: Logger): Cursors {
  const moves = new TickQueue<string, Move>({
    tickMs: TICK_MS,
    flush(board, queued) {
      const last = new Map<string, Move>();
      for (const move of queued) last.set(move.id, move);
      io.to(roomOf(board, 2)).volatile.emit("cursors", { cursors: [...last.values()] });
    },
    onError: (error, board) => logger.error({ err: error, board }, "sending pointers failed"),
  });
  return {
    moved: (board, id, { x, y }) => moves.add(board, { id, x, y }),
  };
}
