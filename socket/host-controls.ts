/**
 * The host's events: `claim-board` (become the host of a new board),
 * `lock-board`, `set-rules`, `remove-player`, `readmit-player` and
 * `delete-board`. Checked here, decided by the board service against the
 * store (`lib/board/room-rules.ts` and `undo-and-host.ts` have the rules);
 * what follows on every node (rules told, players sent away, the board's
 * sockets disconnected) is `room-notices.ts`'s.
 */
import type { BoardService, Writer } from "../lib/board/board-service.js";
import { ROOM_ERRORS } from "../lib/board/room-rules.js";
import type { LiveState } from "../lib/live-state/live-state.js";
import { hostOf } from "../lib/people/player-keys.js";
import { parseClaim, parseLock, parseOperation, parsePlayerRef, parseRules } from "../lib/protocol/schemas.js";
import type { BoardRules } from "../lib/protocol/events.js";
import type { Guard, Refuse } from "./context.js";
import type { Fanout } from "./fanout.js";
import type { CirclesSocket } from "./types.js";

export interface HostControlsDeps {
  boards: BoardService;
  presence: Pick<LiveState, "playerById">;
  fanout: Pick<Fanout, "afterRelay">;
  writer: () => Writer;
  guard: Guard;
  refuse: Refuse;
}

export function listenForHostControls(socket: CirclesSocket, { boards, presence, fanout, writer, guard, refuse }: HostControlsDeps): void {
  const { board } = socket.data;

  socket.on(
    "claim-board",
    guard<{ rules: BoardRules }>(async (reply, payload) => {
      const claim = parseClaim(payload);
      if (!claim.ok) return refuse("claim-board", "invalid", claim.error, reply);
      const hostKey = claim.value?.hostKey;
      const host = hostKey === undefined ? socket.data.host : hostOf(hostKey);
      const result = await boards.claim(board, { ...writer(), host }, claim.value?.op);
      if (!result.ok) return refuse("claim-board", result.code, result.error, reply);
      // The key it claimed with is now this socket's, as if it had come in the handshake.
      socket.data.host = host;
      // A board just claimed is new: its rules are the defaults, unless its live copy says more.
      const rules: BoardRules = { ...(boards.rulesOf(board) ?? { draw: "everyone", chat: "everyone", clear: "everyone", hosted: true }), host: true };
      socket.emit("board-rules", rules);
      reply({ ok: true, rules });
    }),
  );

  socket.on(
    "lock-board",
    guard<{ locked: boolean }>(async (reply, payload) => {
      const lock = parseLock(payload);
      if (!lock.ok) return refuse("lock-board", "invalid", lock.error, reply);
      const result = await boards.setLocked(board, writer(), lock.value.locked, lock.value.op);
      if (!result.ok) return refuse("lock-board", result.code, result.error, reply);
      reply({ ok: true, locked: result.locked });
    }),
  );

  socket.on(
    "set-rules",
    guard<{ rules: BoardRules }>(async (reply, payload) => {
      const rules = parseRules(payload);
      if (!rules.ok) return refuse("set-rules", "invalid", rules.error, reply);
      const { op, ...wanted } = rules.value;
      const result = await boards.setRules(board, writer(), wanted, op);
      if (!result.ok) return refuse("set-rules", result.code, result.error, reply);
      reply({ ok: true, rules: { ...result.rules, host: true } });
    }),
  );

  socket.on(
    "remove-player",
    guard<{ removed: number }>(async (reply, payload) => {
      const which = parsePlayerRef(payload);
      if (!which.ok) return refuse("remove-player", "invalid", which.error, reply);
      const me = writer();
      if (!boards.isHost(board, me)) return refuse("remove-player", "refused", ROOM_ERRORS.notHost, reply);
      const { id, op } = which.value;
      // A player already removed is no longer here: removing them again (a retry) names them as removed.
      const player = presence.playerById(board, id) ?? boards.peek(board)?.removed.find((removed) => removed.id === id);
      if (!player) return refuse("remove-player", "refused", ROOM_ERRORS.noSuchPlayer, reply);
      if (player.owner === null) return refuse("remove-player", "refused", ROOM_ERRORS.noKey, reply);
      const result = await boards.removePlayer(board, me, { id, initials: player.initials, owner: player.owner }, op);
      if (!result.ok) return refuse("remove-player", result.code, result.error, reply);
      fanout.afterRelay(board, () => reply({ ok: true, removed: result.removed }));
    }),
  );

  socket.on(
    "readmit-player",
    guard<object>(async (reply, payload) => {
      const which = parsePlayerRef(payload);
      if (!which.ok) return refuse("readmit-player", "invalid", which.error, reply);
      const result = await boards.readmitPlayer(board, writer(), which.value.id, which.value.op);
      if (!result.ok) return refuse("readmit-player", result.code, result.error, reply);
      reply({ ok: true });
    }),
  );

  socket.on(
    "delete-board",
    guard<object>(async (reply, payload) => {
      const which = parseOperation(payload);
      if (!which.ok) return refuse("delete-board", "invalid", which.error, reply);
      const result = await boards.deleteBoard(board, writer(), which.value?.op);
      if (!result.ok) return refuse("delete-board", result.code, result.error, reply);
      // Answered before `room-notices.ts` disconnects this socket with the others, at the end of the turn.
      reply({ ok: true });
    }),
  );
}
