/**
 * The events that take changes back: `undo-circle` (one's own circle, or
 * any circle for the host) and `undo-clear`. Checked here, decided by the
 * board service (`lib/board/undo-and-host.ts` has the rules).
 */
import type { BoardService, Writer } from "../lib/board/board-service.js";
import { parseClearSeq, parseUndoCircle } from "../lib/protocol/schemas.js";
import type { Guard, Refuse } from "./context.js";
import type { Fanout } from "./fanout.js";
import type { CirclesSocket } from "./types.js";

export interface BoardControlsDeps {
  boards: BoardService;
  fanout: Pick<Fanout, "afterRelay">;
  writer: () => Writer;
  guard: Guard;
  refuse: Refuse;
}

export function listenForBoardControls(socket: CirclesSocket, { boards, fanout, writer, guard, refuse }: BoardControlsDeps): void {
  const { board } = socket.data;

  socket.on(
    "undo-circle",
    guard<{ seq: number; id: string }>(async (reply, payload) => {
      const which = parseUndoCircle(payload);
      if (!which.ok) return refuse("undo-circle", "invalid", which.error, reply);
      const result = await boards.undoCircle(board, writer(), which.value?.id, which.value?.op);
      if (!result.ok) return refuse("undo-circle", result.code, result.error, reply);
      // Lesson clients are sent the removal first (`afterRelay`); protocol 2's `board-events` follow with the tick.
      fanout.afterRelay(board, () => reply({ ok: true, seq: result.seq, id: result.id }));
    }),
  );

  socket.on(
    "undo-clear",
    guard<{ seq: number }>(async (reply, payload) => {
      const which = parseClearSeq(payload);
      if (!which.ok) return refuse("undo-clear", "invalid", which.error, reply);
      const result = await boards.undoClear(board, writer(), which.value.seq, which.value.op);
      if (!result.ok) return refuse("undo-clear", result.code, result.error, reply);
      fanout.afterRelay(board, () => reply({ ok: true, seq: result.seq }));
    }),
  );
}
