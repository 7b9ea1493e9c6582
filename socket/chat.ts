/**
 * Board-scoped chat, speaking right-now's protocol: `message` events of
 * `{user, text}` both ways, with the time and the sender's colour added.
 * Each board has a bot that welcomes a new socket and tells everyone else
 * who joined and left, once a second at most ("AB, CD and 38 others
 * joined"), so that a class arriving at once is one line, not hundreds.
 * Messages go through the adapter, so every node's sockets of the board get
 * them; the board's recent history is live state.
 */
import type { ChatInput, ChatMessage } from "../lib/protocol/events.js";
import type { LiveState } from "../lib/live-state/live-state.js";
import { TickQueue } from "../lib/board/tick-queue.js";
import { roomsOf } from "./rooms.js";
import type { CirclesServer, CirclesSocket } from "./types.js";

export const BOT_NAME = "circles";
const BOT_COLOUR = "#475569";
/** Unregistered senders (right-now clients) have no colour of their own. */
const GUEST_COLOUR = "#334155";
/** Arrivals and departures are told together, once per this long. */
const NOTICE_MS = 1_000;
/** Names listed in one notice; the rest are counted. */
const NAMES_LISTED = 3;

interface Notice {
  kind: "joined" | "left";
  /** Undefined for a watcher: a socket that has not registered initials. */
  initials: string | undefined;
  /** The socket that joined: not told of its own arrival. */
  socket?: string;
}

const counted = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** "AB joined", "AB and CD left", "AB, CD and 38 others joined", "AB and 3 watchers joined", "1 watcher left". */
export function noticeText(names: readonly string[], verb: string, watchers = 0): string {
  const parts = names.length <= NAMES_LISTED ? [...names] : [...names.slice(0, NAMES_LISTED - 1), `${names.length - (NAMES_LISTED - 1)} others`];
  if (watchers > 0) parts.push(counted(watchers, "watcher", "watchers"));
  const last = parts.at(-1) ?? "";
  return `${parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${last}` : last} ${verb}`;
}

/** The notice's words for a batch of arrivals or departures: players by their initials, watchers counted. */
const describe = (notices: readonly Notice[], verb: string) =>
  noticeText(
    notices.flatMap((notice) => (notice.initials === undefined ? [] : [notice.initials])),
    verb,
    notices.filter((notice) => notice.initials === undefined).length,
  );

export interface Chat {
  /** A socket joined its board: its recent chat, then the bot's welcome, to it alone. */
  welcome(socket: CirclesSocket): Promise<void>;
  /** A socket connected to its board: told as a watcher if it has not registered within NOTICE_MS. */
  arrived(socket: CirclesSocket): void;
  /** A socket registered its first initials: the bot tells everyone else on the board. */
  joined(socket: CirclesSocket, initials: string): void;
  /** A socket left the board; `initials` undefined: a watcher, told only if its arrival was. */
  left(socket: CirclesSocket, initials: string | undefined): void;
  /** A socket's message: kept in the board's history, then sent to everyone on the board. */
  say(socket: CirclesSocket, input: ChatInput): Promise<ChatMessage>;
}

export function createChat(io: CirclesServer, presence: Pick<LiveState, "remember" | "recentMessages" | "playerOf">): Chat {
  const bot = (text: string): ChatMessage => ({ user: BOT_NAME, text, time: Date.now(), colour: BOT_COLOUR, bot: true });
  /** Sockets that arrived and have neither registered nor been told as watchers. */
  const untold = new Set<string>();
  /** Watchers' arrivals queued and not yet told, by socket: one that registers meanwhile is told by name instead. */
  const queuedWatchers = new Map<string, Notice>();
  // A page registers as it connects when it knows its initials: a short wait names most arrivals.
  const arrivals = new TickQueue<string, string>({
    tickMs: NOTICE_MS,
    lead: false,
    flush(board, sockets) {
      for (const socket of sockets) {
        if (!untold.delete(socket)) continue;
        const notice: Notice = { kind: "joined", initials: undefined, socket };
        queuedWatchers.set(socket, notice);
        notices.add(board, notice);
      }
    },
  });
  const notices = new TickQueue<string, Notice>({
    tickMs: NOTICE_MS,
    lead: false,
    flush(board, queued) {
      const joined = queued.filter((notice) => notice.kind === "joined");
      const left = queued.filter((notice) => notice.kind === "left");
      const newcomers = joined.flatMap((notice) => (notice.socket === undefined ? [] : [notice.socket]));
      for (const socket of newcomers) queuedWatchers.delete(socket);
      if (joined.length > 0)
        io.to(roomsOf(board))
          .except(newcomers)
          .emit("message", bot(describe(joined, "joined")));
      // Each newcomer hears of the others who joined with it, not of itself.
      if (joined.length > 1) {
        joined.forEach((notice, i) => {
          if (notice.socket === undefined) return;
          io.to(notice.socket).emit(
            "message",
            bot(
              describe(
                joined.filter((_, j) => j !== i),
                "joined",
              ),
            ),
          );
        });
      }
      if (left.length > 0) io.to(roomsOf(board)).emit("message", bot(describe(left, "left")));
    },
  });
  return {
    async welcome(socket) {
      const { board, protocol } = socket.data;
      const history = await presence.recentMessages(board);
      if (!socket.connected) return;
      // Lesson and right-now clients know only `message`: they get the history one message at a time.
      if (protocol === 2) socket.emit("chat-history", history);
      else for (const message of history) socket.emit("message", message);
      socket.emit("message", bot(`Welcome to ${board}! Say hello.`));
    },
    arrived(socket) {
      // Registered while its board loaded: already told by name.
      if (presence.playerOf(socket.id)) return;
      untold.add(socket.id);
      arrivals.add(socket.data.board, socket.id);
    },
    joined(socket, initials) {
      untold.delete(socket.id);
      const queued = queuedWatchers.get(socket.id);
      if (queued) queued.initials = initials;
      else notices.add(socket.data.board, { kind: "joined", initials, socket: socket.id });
    },
    left(socket, initials) {
      // Gone before anyone was told it came: nothing to tell.
      if (untold.delete(socket.id) && initials === undefined) return;
      notices.add(socket.data.board, { kind: "left", initials });
    },
    async say(socket, input) {
      const { board } = socket.data;
      const player = presence.playerOf(socket.id);
      // A registered player is named by its initials, so no one can speak as someone else on the list.
      const message: ChatMessage = {
        user: player?.initials ?? input.user ?? "guest",
        text: input.text,
        time: Date.now(),
        colour: player?.colour ?? GUEST_COLOUR,
      };
      // A message sent again under its name (a retry after a lost answer) is told once.
      if (await presence.remember(board, message, input.op)) io.to(roomsOf(board)).emit("message", message);
      return message;
    },
  };
}
