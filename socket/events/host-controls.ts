/**
 * The host's events: `claim-board` (become the host of a new board),
 * `lock-board`, `set-rules`, `remove-player`, `readmit-player` and
 * `delete-board`. Checked here, decided by the board service against the
 * store (`lib/board/room-rules.ts` and `undo-and-host.ts` have the rules);
 * what follows on every node (rules told, players sent away, the board's
 * sockets disconnected) is `socket/room-notices.ts`'s.
 */
import { ROOM_ERRORS } from "../../lib/board/room-rules.js";
import { hostOf } from "../../lib/people/player-keys.js";
import { parseClaim, parseLock, parseOperation, parsePlayerRef, parseRules } from "../../lib/protocol/schemas.js";
import type { BoardRules } from "../../lib/protocol/events.js";
import { refuse, writerOf, type Handlers } from "./context.js";

export const hostControls: Pick<Handlers, "claim-board" | "lock-board" | "set-rules" | "remove-player" | "readmit-player" | "delete-board"> = {
  "claim-board": async (context, payload, reply) => {
    const { socket, board, server } = context;
    const claim = parseClaim(payload);
    if (!claim.ok) return refuse(context, "claim-board", "invalid", claim.error, reply);
    const hostKey = claim.value?.hostKey;
    const host = hostKey === undefined ? socket.data.host : hostOf(hostKey);
    const result = await server.boards.claim(board, { ...writerOf(context), host }, claim.value?.op);
    if (!result.ok) return refuse(context, "claim-board", result.code, result.error, reply);
    // The key it claimed with is now this socket's, as if it had come in the handshake.
    socket.data.host = host;
    // A board just claimed is new: its rules are the defaults, unless its live copy says more.
    const rules: BoardRules = {
      ...(server.boards.rulesOf(board) ?? { draw: "everyone", chat: "everyone", clear: "everyone", hosted: true }),
      host: true,
    };
    socket.emit("board-rules", rules);
    reply({ ok: true, rules });
  },

  "lock-board": async (context, payload, reply) => {
    const lock = parseLock(payload);
    if (!lock.ok) return refuse(context, "lock-board", "invalid", lock.error, reply);
    const result = await context.server.boards.setLocked(context.board, writerOf(context), lock.value.locked, lock.value.op);
    if (!result.ok) return refuse(context, "lock-board", result.code, result.error, reply);
    reply({ ok: true, locked: result.locked });
  },

  "set-rules": async (context, payload, reply) => {
    const rules = parseRules(payload);
    if (!rules.ok) return refuse(context, "set-rules", "invalid", rules.error, reply);
    const { op, ...wanted } = rules.value;
    const result = await context.server.boards.setRules(context.board, writerOf(context), wanted, op);
    if (!result.ok) return refuse(context, "set-rules", result.code, result.error, reply);
    reply({ ok: true, rules: { ...result.rules, host: true } });
  },

  "remove-player": async (context, payload, reply) => {
    const { board, server } = context;
    const { boards } = server;
    const which = parsePlayerRef(payload);
    if (!which.ok) return refuse(context, "remove-player", "invalid", which.error, reply);
    const me = writerOf(context);
    if (!boards.isHost(board, me)) return refuse(context, "remove-player", "refused", ROOM_ERRORS.notHost, reply);
    const { id, op } = which.value;
    // A player already removed is no longer here: removing them again (a retry) names them as removed.
    const player = server.presence.playerById(board, id) ?? boards.peek(board)?.removed.find((removed) => removed.id === id);
    if (!player) return refuse(context, "remove-player", "refused", ROOM_ERRORS.noSuchPlayer, reply);
    if (player.owner === null) return refuse(context, "remove-player", "refused", ROOM_ERRORS.noKey, reply);
    const result = await boards.removePlayer(board, me, { id, initials: player.initials, owner: player.owner }, op);
    if (!result.ok) return refuse(context, "remove-player", result.code, result.error, reply);
    server.fanout.afterRelay(board, () => reply({ ok: true, removed: result.removed }));
  },

  "readmit-player": async (context, payload, reply) => {
    const which = parsePlayerRef(payload);
    if (!which.ok) return refuse(context, "readmit-player", "invalid", which.error, reply);
    const result = await context.server.boards.readmitPlayer(context.board, writerOf(context), which.value.id, which.value.op);
    if (!result.ok) return refuse(context, "readmit-player", result.code, result.error, reply);
    reply({ ok: true });
  },

  "delete-board": async (context, payload, reply) => {
    const which = parseOperation(payload);
    if (!which.ok) return refuse(context, "delete-board", "invalid", which.error, reply);
    const result = await context.server.boards.deleteBoard(context.board, writerOf(context), which.value?.op);
    if (!result.ok) return refuse(context, "delete-board", result.code, result.error, reply);
    // Answered before `socket/room-notices.ts` disconnects this socket with the others, at the end of the turn.
    reply({ ok: true });
  },
};
