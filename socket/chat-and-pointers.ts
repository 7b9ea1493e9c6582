/**
 * The events of people rather than of the board: `message` (chat, as
 * right-now sends it) and `cursor` (a player's pointer). Checked here; chat
 * is kept and told by `chat.ts`, pointers by `cursors.ts`.
 */
import type { LiveState } from "../lib/live-state/live-state.js";
import type { Logger } from "../lib/ops/logger.js";
import type { WriteLimiter } from "../lib/limits/rate-limit.js";
import { parseChatInput, parseCursor } from "../lib/protocol/schemas.js";
import { splitAck } from "../lib/protocol/acks.js";
import { ROOM_ERRORS } from "../lib/board/room-rules.js";
import type { Guard, Refuse } from "./context.js";
import type { Chat } from "./chat.js";
import type { Cursors } from "./cursors.js";
import type { CirclesSocket } from "./types.js";

export interface ChatAndPointersDeps {
  chat: Chat;
  cursors: Cursors;
  presence: Pick<LiveState, "playerOf">;
  /** False while the host keeps chat to themselves and this socket is not the host. */
  mayChat: () => boolean;
  chatLimiter: WriteLimiter;
  guard: Guard;
  refuse: Refuse;
  log: () => Logger;
}

export function listenForChatAndPointers(
  socket: CirclesSocket,
  { chat, cursors, presence, mayChat, chatLimiter, guard, refuse, log }: ChatAndPointersDeps,
): void {
  const say = guard<object>(async (reply, payload) => {
    const input = parseChatInput(payload);
    if (!input.ok) return refuse("message", "invalid", input.error, reply);
    if (!mayChat()) return refuse("message", "refused", ROOM_ERRORS.chatPaused, reply);
    if (!(await chatLimiter.tryConsume(socket.id))) return refuse("message", "rate-limited", "rate limited", reply);
    try {
      await chat.say(socket, input.value);
    } catch (error) {
      // Kept in Redis with several nodes: while it is down, chat waits.
      log().warn({ err: error }, "could not keep a chat message");
      return reply({ ok: false, error: "chat is unavailable: try again shortly", code: "unavailable" });
    }
    reply({ ok: true });
  });
  // `send("message", {user, text})` arrives with the event's name as its first argument.
  socket.on("message", (...args: unknown[]) => say(...(args[0] === "message" ? args.slice(1) : args)));

  socket.on("cursor", (...args: unknown[]) => {
    const { payload, reply } = splitAck(args);
    const position = parseCursor(payload);
    if (!position.ok) return refuse("cursor", "invalid", position.error, reply);
    const player = presence.playerOf(socket.id);
    if (!player) return refuse("cursor", "refused", "register initials first", reply);
    cursors.moved(socket.data.board, player.id, position.value);
    reply({ ok: true });
  });
}
