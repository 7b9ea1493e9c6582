/**
 * The events of people rather than of the board: `message` (chat, as
 * right-now sends it) and `cursor` (a player's pointer). Checked here; chat
 * is kept and told by `socket/chat.ts`, pointers by `socket/cursors.ts`.
 */
import { allowed, ROOM_ERRORS } from "../../lib/board/room-rules.js";
import { parseChatInput, parseCursor } from "../../lib/protocol/schemas.js";
import { logOf, refuse, type Handlers, type SocketContext } from "./context.js";

/** False while the host keeps chat to themselves and this socket is not the host. */
function mayChat({ socket, board, server }: SocketContext): boolean {
  const live = server.boards.peek(board);
  return live === undefined || allowed(live.rules.chat, live.host, socket.data);
}

export const chatAndPointers: Pick<Handlers, "message" | "cursor"> = {
  message: async (context, payload, reply) => {
    const { socket, server } = context;
    const input = parseChatInput(payload);
    if (!input.ok) return refuse(context, "message", "invalid", input.error, reply);
    if (!mayChat(context)) return refuse(context, "message", "refused", ROOM_ERRORS.chatPaused, reply);
    if (!(await server.chatLimiter.tryConsume(socket.id))) return refuse(context, "message", "rate-limited", "rate limited", reply);
    try {
      await server.chat.say(socket, input.value);
    } catch (error) {
      // Kept in Redis with several nodes: while it is down, chat waits.
      logOf(context).warn({ err: error }, "could not keep a chat message");
      return reply({ ok: false, error: "chat is unavailable: try again shortly", code: "unavailable" });
    }
    reply({ ok: true });
  },

  cursor: async (context, payload, reply) => {
    const { socket, board, server } = context;
    const position = parseCursor(payload);
    if (!position.ok) return refuse(context, "cursor", "invalid", position.error, reply);
    const player = server.presence.playerOf(socket.id);
    if (!player) return refuse(context, "cursor", "refused", "register initials first", reply);
    server.cursors.moved(board, player.id, position.value);
    reply({ ok: true });
  },
};
