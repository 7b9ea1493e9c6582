/**
 * The events that take changes back or guard them (`undo-circle`,
 * `undo-clear`, `claim-board`, `lock-board`), and who a socket is for them:
 * the hashes of the keys in its handshake's `auth`. Checked here, decided by
 * the board service (`lib/board/undo-and-host.ts` has the rules).
 */
import type { BoardService, Writer } from "../lib/board/board-service.js";
import type { AckCallback } from "../lib/protocol/events.js";
import type { LiveState } from "../lib/live-state/live-state.js";
import type { RejectionReason } from "../lib/ops/metrics.js";
import { hostOf, ownerOf } from "../lib/people/player-keys.js";
import { parseClearSeq, parseHandshakeAuth, parseLock, parseUndoCircle, type ParseResult } from "../lib/protocol/schemas.js";
import type { Fanout } from "./fanout.js";
import type { CirclesSocket } from "./types.js";

/** The hashes of the handshake's keys, for `socket.data`; a bad key refuses the connection, saying why. */
export function keysOf(auth: unknown): ParseResult<{ owner: string | undefined; host: string | undefined }> {
  const parsed = parseHandshakeAuth(auth ?? {});
  if (!parsed.ok) return parsed;
  const { playerKey, hostKey } = parsed.value;
  return {
    ok: true,
    value: { owner: playerKey === undefined ? undefined : ownerOf(playerKey), host: hostKey === undefined ? undefined : hostOf(hostKey) },
  };
}

/** The socket as a writer of its board. */
export function writerOf(socket: CirclesSocket, presence: Pick<LiveState, "initialsOf">): Writer {
  return { key: socket.id, initials: presence.initialsOf(socket.id), owner: socket.data.owner, host: socket.data.host };
}

/** `io.ts`'s guarded listener: failures logged and answered. */
export type Guard = <T extends object>(handler: (reply: AckCallback<T>, payload: unknown) => Promise<void>) => (...args: unknown[]) => void;

/** `io.ts`'s refusal: counted, logged and answered `{ok: false, error}`. */
export type Refuse = (event: string, reason: RejectionReason, error: string, reply: AckCallback<never>) => void;

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
      const result = await boards.undoCircle(board, writer(), which.value?.id);
      if (!result.ok) return refuse("undo-circle", result.reason, result.error, reply);
      // Relayed as a removal, then acknowledged, as every write is.
      fanout.afterRelay(board, () => reply({ ok: true, seq: result.seq, id: result.id }));
    }),
  );

  socket.on(
    "undo-clear",
    guard<{ seq: number }>(async (reply, payload) => {
      const seq = parseClearSeq(payload);
      if (!seq.ok) return refuse("undo-clear", "invalid", seq.error, reply);
      const result = await boards.undoClear(board, writer(), seq.value);
      if (!result.ok) return refuse("undo-clear", result.reason, result.error, reply);
      fanout.afterRelay(board, () => reply({ ok: true, seq: result.seq }));
    }),
  );

  socket.on(
    "claim-board",
    guard<object>(async (reply) => {
      const result = await boards.claim(board, writer());
      if (!result.ok) return refuse("claim-board", result.reason, result.error, reply);
      reply({ ok: true });
    }),
  );

  socket.on(
    "lock-board",
    guard<{ locked: boolean }>(async (reply, payload) => {
      const locked = parseLock(payload);
      if (!locked.ok) return refuse("lock-board", "invalid", locked.error, reply);
      const result = await boards.setLocked(board, writer(), locked.value);
      if (!result.ok) return refuse("lock-board", result.reason, result.error, reply);
      reply({ ok: true, locked: result.locked });
    }),
  );
}
