/**
 * The events that take changes back: `undo-circle` (one's own circle, or
 * any circle for the host) and `undo-clear`. Checked here, decided by the
 * board service (`lib/board/undo-and-host.ts` has the rules).
 */
import { parseClearSeq, parseUndoCircle } from "../../lib/protocol/schemas.js";
import { refuse, writerOf, type Handlers } from "./context.js";

export const boardControls: Pick<Handlers, "undo-circle" | "undo-clear"> = {
  "undo-circle": async (context, payload, reply) => {
    const { board, server } = context;
    const which = parseUndoCircle(payload);
    if (!which.ok) return refuse(context, "undo-circle", "invalid", which.error, reply);
    const result = await server.boards.undoCircle(board, writerOf(context), which.value?.id, which.value?.op);
    if (!result.ok) return refuse(context, "undo-circle", result.code, result.error, reply);
    // Lesson clients are sent the removal first (`afterRelay`); protocol 2's `board-events` follow with the tick.
    server.fanout.afterRelay(board, () => reply({ ok: true, seq: result.seq, id: result.id }));
  },

  "undo-clear": async (context, payload, reply) => {
    const { board, server } = context;
    const which = parseClearSeq(payload);
    if (!which.ok) return refuse(context, "undo-clear", "invalid", which.error, reply);
    const result = await server.boards.undoClear(board, writerOf(context), which.value.seq, which.value.op);
    if (!result.ok) return refuse(context, "undo-clear", result.code, result.error, reply);
    server.fanout.afterRelay(board, () => reply({ ok: true, seq: result.seq }));
  },
};
