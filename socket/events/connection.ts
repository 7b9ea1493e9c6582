/**
 * A connection's life on this node, from `io.ts`'s "connection" to its
 * "disconnect": it joins its board's people, holds its board live once it
 * loads, and every event it sends passes the flood guard before its
 * handler (`handlers.ts`) runs.
 *
 * A connection holds one plain `SocketContext` and no function of its own:
 * the listeners below serve every socket, which Socket.IO passes them as
 * `this`. Events are taken by `onEvent`, an `onAny` listener, which runs
 * as each packet is read, where Socket.IO's middlewares would: so a
 * cut-off still ends the connection before the next event read with it is
 * handled. Handlers run in the next tick, when Socket.IO would have called
 * a listener, and not at all once the connection has ended.
 */
import type { DisconnectReason } from "socket.io";
import { cursorBudget } from "../../lib/limits/cursor-budget.js";
import { splitAck } from "../../lib/protocol/acks.js";
import { logOf, rejected, releaseHandshake, type ClientEvent, type Handler, type ServerParts, type SocketContext } from "./context.js";
import { HANDLERS, isClientEvent } from "./handlers.js";
import type { CirclesSocket } from "../types.js";

// Weak: a context goes with its socket.
const contexts = new WeakMap<CirclesSocket, SocketContext>();

export function onConnection(socket: CirclesSocket, server: ServerParts): void {
  const { boards, presence, fanout, joins, chat } = server;
  const { board } = socket.data;
  releaseHandshake(socket);
  const context: SocketContext = { socket, board, server, events: server.floodGuard.counter(socket), pointerMoves: cursorBudget(), holding: false };
  contexts.set(socket, context);
  presence.join(socket.id, board, socket.data.owner ?? null);
  fanout.peopleChanged(board);
  logOf(context).info({ protocol: socket.data.protocol }, "connected");

  // Socket.IO's own dispatch still follows `onEvent` and finds nobody: no listener is a client event's
  // (an event a client calls "error" meets the no-op Socket.IO keeps against unheard errors).
  socket.onAny(onEvent);
  socket.on("disconnect", onDisconnect);

  boards
    .open(board, (live) => joins.admit(socket, live))
    .then(
      () => {
        if (socket.disconnected) return boards.release(board);
        context.holding = true;
        chat.arrived(socket);
        chat.welcome(socket).catch((error: unknown) => logOf(context).warn({ err: error }, "could not send the chat history"));
      },
      (error: unknown) => {
        logOf(context).error({ err: error }, "could not load the board");
        socket.disconnect(true);
      },
    );
}

/** Every event the socket sends, counted by the flood guard before anything else: past its budget, not handled at all. */
function onEvent(this: CirclesSocket, event: unknown, ...args: unknown[]): void {
  const context = contexts.get(this);
  if (!context) return;
  const { socket, server } = context;
  if (event === "cursor" && context.pointerMoves()) return admit(context, event, args);
  const verdict = context.events.count(() => admit(context, event, args));
  if (verdict === "pass") return admit(context, event, args);
  // On probation: the counter admits the event once it has been earned.
  if (verdict === "hold") return;
  if (verdict === "drop") {
    rejected(context, isClientEvent(event) ? event : "unknown", "flood", "rate limited");
    return splitAck(args).reply({ ok: false, error: "rate limited", code: "rate-limited" });
  }
  if (socket.disconnected) return;
  server.metrics.floodCutOffs.inc();
  logOf(context).warn({ address: socket.data.address }, "cut off a flooding connection");
  server.floodGuard.coolDown(socket.data.address).catch((error: unknown) => logOf(context).error({ err: error }, "flood guard failed"));
  socket.disconnect(true);
}

/**
 * Everything from a socket sent away (removed, or its board deleted) and
 * about to be disconnected, and events with no handler (their
 * acknowledgements would never be answered), are refused here.
 */
function admit(context: SocketContext, event: unknown, args: unknown[]): void {
  const { leaving } = context.socket.data;
  if (leaving !== undefined) {
    rejected(context, isClientEvent(event) ? event : "unknown", "refused", leaving);
    return splitAck(args).reply({ ok: false, error: leaving, code: "refused" });
  }
  if (!isClientEvent(event)) {
    rejected(context, "unknown", "invalid", "unknown event");
    return splitAck(args).reply({ ok: false, error: "unknown event", code: "invalid" });
  }
  process.nextTick(handle, context, event, args);
}

/** Runs the event's handler; its failure is logged and answered, never left as an unhandled rejection (which would end the process). */
function handle(context: SocketContext, event: ClientEvent, args: unknown[]): void {
  if (context.socket.disconnected) return;
  // `send("message", {user, text})` arrives with the event's name as its first argument.
  const { payload, reply } = splitAck(event === "message" && args[0] === "message" ? args.slice(1) : args);
  // Each handler's type holds it to its own event's acknowledgement; the client's callback takes any.
  const handler = HANDLERS[event] as Handler<ClientEvent>;
  handler(context, payload, reply).catch((error: unknown) => {
    logOf(context).error({ err: error }, "event handler failed");
    reply({ ok: false, error: "internal error", code: "internal" });
  });
}

function onDisconnect(this: CirclesSocket, reason: DisconnectReason): void {
  const context = contexts.get(this);
  if (!context) return;
  const { socket, board, server } = context;
  const initials = server.presence.initialsOf(socket.id);
  server.presence.leave(socket.id);
  server.chat.left(socket, initials);
  server.fanout.peopleChanged(board);
  if (context.holding) server.boards.release(board);
  logOf(context).info({ reason }, "disconnected");
}
