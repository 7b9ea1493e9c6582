/**
 * The lesson's events: `register-player` (the initials a player draws
 * with), `add-circle`, `clear-circles` (and `clear-display`, its name in
 * the lesson's finished client), and `sync-board`, by which a
 * `protocol=2` client catches up. Checked here, decided and stored by the
 * board service; `socket/relay/fanout.ts` relays what was stored.
 */
import { parseCircleInput, parseClearOperation, parseInitials, parseSeq } from "../../lib/protocol/schemas.js";
import { overLimit, refuse, writerOf, type Handler, type Handlers } from "./context.js";

const clear: Handler<"clear-circles"> = async (context, payload, reply) => {
  const { board, server } = context;
  const which = parseClearOperation(payload);
  if (!which.ok) return refuse(context, "clear-circles", "invalid", which.error, reply);
  const result = await server.boards.clear(board, writerOf(context), which.value?.op);
  if (!result.ok) return refuse(context, "clear-circles", result.code, result.error, reply);
  server.fanout.afterRelay(board, () => reply({ ok: true, seq: result.seq }));
};

export const drawing: Pick<Handlers, "register-player" | "add-circle" | "clear-circles" | "clear-display" | "sync-board"> = {
  "register-player": async (context, payload, reply) => {
    const { socket, board, server } = context;
    const { presence } = server;
    const initials = parseInitials(payload);
    if (!initials.ok) return refuse(context, "register-player", "invalid", initials.error, reply);
    if (await overLimit(context, "register-player", reply)) return;
    const first = presence.initialsOf(socket.id) === undefined;
    // The same initials again change nothing, so nothing is announced.
    if (presence.register(socket.id, initials.value)) server.fanout.peopleChanged(board);
    if (first) server.chat.joined(socket, initials.value);
    const player = presence.playerOf(socket.id);
    if (!player) return reply({ ok: false, error: "internal error", code: "internal" });
    reply({ ok: true, ...player });
  },

  "add-circle": async (context, payload, reply) => {
    const { board, server } = context;
    const input = parseCircleInput(payload);
    if (!input.ok) return refuse(context, "add-circle", "invalid", input.error, reply);
    const result = await server.boards.addCircle(board, input.value, writerOf(context));
    if (!result.ok) return refuse(context, "add-circle", result.code, result.error, reply);
    // The lesson's `io.emit('add-circle', …)` is not here: `socket/relay/fanout.ts`, subscribed to the board service in
    // `createIo`, relays every stored change to the board's sockets. `afterRelay` only holds this answer until that relay has left.
    server.fanout.afterRelay(board, () => reply({ ok: true, circle: result.circle, seq: result.seq }));
  },

  "clear-circles": clear,
  "clear-display": clear,

  "sync-board": async (context, payload, reply) => {
    const since = parseSeq(payload);
    if (!since.ok) return refuse(context, "sync-board", "invalid", since.error, reply);
    // A whole board is the dearest answer the server gives: it counts as a write.
    if (await overLimit(context, "sync-board", reply)) return;
    const live = context.server.boards.peek(context.board);
    if (!live) return reply({ ok: false, error: "the board is still loading: try again shortly", code: "unavailable" });
    const missed = live.since(since.value);
    reply(missed ? { ok: true, events: missed } : { ok: true, snapshot: live.snapshot() });
  },
};
