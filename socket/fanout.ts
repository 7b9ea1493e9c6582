/**
 * Relays a board's changes to its sockets. Lesson clients get each change as
 * its own event, as the lesson does, at the end of the event-loop turn in
 * which it was stored: a turn's changes then reach each socket in one write
 * (see `coalesced-writes.ts`) instead of one write per change.
 * `protocol=2` clients get one `board-events` message per board per tick.
 * Who is here goes out at most once per tick per board: the player list
 * (the lesson's) when it changed, and `board-people` to `protocol=2`
 * clients, whose count changes with watchers too. Notices (who cleared,
 * the lock) go to `protocol=2` clients as they come. Each message is
 * encoded once for all the sockets of its room (Socket.IO pre-encodes a room
 * broadcast). Every node relays to its own sockets only (`nodes.ts`).
 */
import type { BoardListener } from "../lib/board/board-service.js";
import type { BoardEvent } from "../lib/protocol/events.js";
import type { Logger } from "../lib/ops/logger.js";
import type { Metrics } from "../lib/ops/metrics.js";
import { boardPeople, type LiveState } from "../lib/live-state/live-state.js";
import { TickQueue } from "../lib/board/tick-queue.js";
import { lessonFrames, type LessonEvent } from "./lesson-frames.js";
import type { CirclesServer, CirclesSocket } from "./types.js";
import { roomOf, roomsOf } from "./rooms.js";

/**
 * 33 ms, about 30 messages a second: half the frames of a 16 ms tick for
 * the same changes, while a tap still reaches everyone well within the
 * tenth of a second people read as "at once".
 */
export const TICK_MS = 33;

export interface Fanout {
  listener: BoardListener;
  /** Runs `reply` once the board's changes stored so far have gone to its lesson clients: a write is relayed, then acknowledged. */
  afterRelay(board: string, reply: () => void): void;
  /** Who is on the board changed (anyone joined, registered or left): announce it with the next tick. */
  peopleChanged(board: string): void;
  /** Send the board's queued changes now, so that sockets joining after them are not sent them again. */
  flushBoard(board: string): void;
  /** Send everything queued now (a shutdown). */
  flush(): void;
}

export function createFanout(
  io: CirclesServer,
  presence: Pick<LiveState, "players" | "playerDetails" | "here" | "connectionsTo">,
  metrics: Pick<Metrics, "timeBroadcast">,
  logger: Logger,
): Fanout {
  // Encoding happens before the adapter looks for sockets: skip rooms nobody is in.
  const occupied = (room: string) => (io.sockets.adapter.rooms.get(room)?.size ?? 0) > 0;
  const onError = (error: unknown, board: string) => logger.error({ err: error, board }, "broadcast failed");
  const batches = new TickQueue<string, BoardEvent>({
    tickMs: TICK_MS,
    flush: (board, events) => {
      const room = roomOf(board, 2);
      if (occupied(room)) metrics.timeBroadcast("board-events", () => io.local.to(room).emit("board-events", { events }));
    },
    onError,
  });
  /** The player list each board's sockets were last sent, so that a watcher coming or going does not resend it. */
  const lastLists = new Map<string, readonly string[]>();
  const people = new TickQueue<string, never>({
    tickMs: TICK_MS,
    flush: (board) => {
      const players = presence.players(board);
      if (!sameList(lastLists.get(board) ?? [], players)) io.local.to(roomsOf(board)).emit("update-player-list", players);
      if (presence.connectionsTo(board) > 0) lastLists.set(board, players);
      else lastLists.delete(board);
      const room = roomOf(board, 2);
      if (occupied(room)) io.local.to(room).emit("board-people", boardPeople(presence, board));
    },
    onError,
  });

  const turns = new TickQueue<string, BoardEvent | (() => void)>({
    tickMs: "turn",
    flush: (board, items) => {
      const changes = items.filter((item): item is BoardEvent => typeof item !== "function");
      try {
        if (changes.length > 0) relayToLessonClients(board, changes);
      } finally {
        // Whatever happened to the relay, every write stored in the turn is answered.
        for (const item of items) if (typeof item === "function") item();
      }
    },
    onError,
  });

  const relayToLessonClients = (board: string, changes: BoardEvent[]) => {
    const room = io.sockets.adapter.rooms.get(roomOf(board, 1));
    if (room === undefined || room.size === 0) return;
    metrics.timeBroadcast("lesson-events", () => {
      const frames = lessonFrames(changes);
      // Socket.IO's own broadcasts hand Engine.IO a pre-encoded frame the same way (WebSocket only):
      // it is written as it is, uncompressed.
      const options = { compress: false, wsPreEncodedFrame: [frames.wire] };
      for (const id of room) {
        const socket = io.sockets.sockets.get(id);
        if (socket === undefined) continue;
        if (socket.conn.transport.name === "websocket") socket.conn.write("", options);
        else for (const event of frames.events) emitLesson(socket, event);
      }
    });
  };

  return {
    listener: {
      changed(board, events) {
        turns.add(board, ...events);
        batches.add(board, ...events);
      },
      replaced(board, live) {
        // What is queued is older than the board now sent whole.
        turns.flushKey(board);
        batches.flushKey(board);
        const snapshot = live.snapshot();
        const room = roomOf(board, 2);
        if (occupied(room)) io.local.to(room).emit("board-snapshot", snapshot);
        // The lesson's clients know no snapshot once connected: a clear, then every circle.
        const { seq, circles } = snapshot;
        relayToLessonClients(board, [{ seq, type: "clear" }, ...circles.map((circle) => ({ seq, type: "add" as const, circle }))]);
      },
      noticed(board, notice) {
        const room = roomOf(board, 2);
        if (!occupied(room)) return;
        // The room's other notices are `room-notices.ts`'s.
        if (notice.type === "cleared") io.local.to(room).emit("board-cleared", { seq: notice.seq, by: notice.by, undoMs: notice.undoMs });
        else if (notice.type === "host") io.local.to(room).emit("board-lock", { locked: notice.host.locked });
      },
    },
    afterRelay: (board, reply) => turns.add(board, reply),
    peopleChanged: (board) => people.add(board),
    flushBoard(board) {
      turns.flushKey(board);
      batches.flushKey(board);
    },
    flush() {
      turns.flush();
      batches.flush();
      people.flush();
    },
  };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, i) => value === b[i]);

/** `socket.emit` for any one of the lesson's events (TypeScript cannot spread a union of tuples into its overloads). */
const emitLesson = (socket: CirclesSocket, event: LessonEvent) => (socket.emit as (...args: LessonEvent) => boolean)(...event);
