/**
 * Relays a board's changes to its sockets. This is where the lesson's
 * `io.emit("add-circle", data)` happens: the board service tells
 * `listener` of every change it stored, and the changes go out on a short
 * window per board with a leading edge: at the end of the event-loop turn
 * when the board sent nothing in the last window, otherwise when the window
 * ends. A quiet board answers as fast as a relay can; a busy one costs at
 * most one write per socket per window, whatever the load.
 * Lesson clients get each change as its own event, as the lesson does, in
 * frames built once per window for every socket (`lesson-frames.ts`);
 * `protocol=2` clients get one `board-events` message per board per tick.
 * Who is here goes out at most once per tick per board (longer for crowds):
 * the player list (the lesson's) when it changed, and `board-people` to
 * `protocol=2` clients, whose count changes with watchers too. Notices (who
 * cleared, the lock) go to `protocol=2` clients as they come. Every node
 * relays to its own sockets only (`nodes.ts`).
 *
 * The order a client sees: a board's changes in seq order, always. A lesson
 * client on the writer's node is sent a change before the writer's answer
 * (`afterRelay`), REST writers included. A `protocol=2` client may get the answer first: its
 * `board-events` leave on their own tick, and the page has drawn its tap
 * already.
 */
import type { BoardListener } from "../../lib/board/board-service.js";
import type { BoardEvent } from "../../lib/protocol/events.js";
import type { Logger } from "../../lib/ops/logger.js";
import type { Metrics } from "../../lib/ops/metrics.js";
import { boardPeople, type LiveState } from "../../lib/live-state/live-state.js";
import { TickQueue } from "../../lib/board/tick-queue.js";
import { framesOf, lessonFrames } from "./lesson-frames.js";
import { sendToRooms } from "./direct-writes.js";
import type { CirclesServer } from "../types.js";
import { roomOf, roomsOf } from "../rooms.js";

/**
 * The lesson's window, 10 ms, chosen from measurements (docs/operations.md,
 * "Why a 10 ms window"): shorter windows write every socket more often under
 * load, and longer ones add their length to every busy board's latency
 * while saving little more.
 */
export const WINDOW_MS = 10;

/**
 * protocol 2's tick, 33 ms, about 30 messages a second: half the frames of
 * a 16 ms tick for the same changes, while a tap still reaches everyone well
 * within the tenth of a second people read as "at once".
 */
export const TICK_MS = 33;

export interface Fanout {
  listener: BoardListener;
  /**
   * Runs `reply` once the board's changes stored so far have gone to its lesson clients: a write is relayed, then
   * acknowledged. The relay itself is `listener`, which the board service calls with each change it stored.
   */
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
      if (occupied(room)) metrics.timeBroadcast("board-events", () => sendToRooms(io, [room], framesOf([["board-events", { events }]])));
    },
    onError,
  });
  /** The player list each board's sockets were last sent, so that a watcher coming or going does not resend it. */
  const lastLists = new Map<string, readonly string[]>();
  /** Boards whose last list was large for their crowd: the ms until the next (see `peopleTickMs`). */
  const peopleTicks = new Map<string, number>();
  const people = new TickQueue<string, never>({
    tickMs: (board) => peopleTicks.get(board) ?? TICK_MS,
    flush: (board) => {
      const players = presence.players(board);
      if (!sameList(lastLists.get(board) ?? [], players)) {
        const frames = framesOf([["update-player-list", players]]);
        const sockets = sendToRooms(io, roomsOf(board), frames);
        const tickMs = peopleTickMs(frames.wire.length * sockets);
        if (tickMs > TICK_MS) peopleTicks.set(board, tickMs);
        else peopleTicks.delete(board);
      }
      if (presence.connectionsTo(board) > 0) lastLists.set(board, players);
      else {
        lastLists.delete(board);
        peopleTicks.delete(board);
      }
      const room = roomOf(board, 2);
      if (occupied(room)) io.local.to(room).emit("board-people", boardPeople(presence, board));
    },
    onError,
  });

  const windows = new TickQueue<string, BoardEvent | (() => void)>({
    tickMs: WINDOW_MS,
    flush: (board, items) => {
      const changes = items.filter((item): item is BoardEvent => typeof item !== "function");
      try {
        if (changes.length > 0) relayToLessonClients(board, changes);
      } finally {
        // Whatever happened to the relay, every write stored in the window is answered.
        for (const item of items) if (typeof item === "function") item();
      }
    },
    onError,
  });

  const relayToLessonClients = (board: string, changes: BoardEvent[]) => {
    const room = io.sockets.adapter.rooms.get(roomOf(board, 1));
    if (room === undefined || room.size === 0) return;
    metrics.timeBroadcast("lesson-events", () => sendToRooms(io, [roomOf(board, 1)], lessonFrames(changes)));
  };

  return {
    listener: {
      changed(board, events) {
        windows.add(board, ...events);
        batches.add(board, ...events);
      },
      replaced(board, live) {
        // What is queued is older than the board now sent whole.
        windows.flushKey(board);
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
        // The room's other notices are `socket/room-notices.ts`'s.
        if (notice.type === "cleared") io.local.to(room).emit("board-cleared", { seq: notice.seq, by: notice.by, undoMs: notice.undoMs });
        else if (notice.type === "host") io.local.to(room).emit("board-lock", { locked: notice.host.locked });
      },
    },
    afterRelay: (board, reply) => windows.add(board, reply),
    peopleChanged: (board) => people.add(board),
    flushBoard(board) {
      windows.flushKey(board);
      batches.flushKey(board);
    },
    flush() {
      windows.flush();
      batches.flush();
      people.flush();
    },
  };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, i) => value === b[i]);

/**
 * The lesson sends the whole player list to every socket at each change: with
 * a crowd that is the size of the list times the crowd, 150 MB for 5,000
 * players. Such a board's next list waits until sending it costs at most
 * PEOPLE_BYTES_PER_MS on average, so that a crowd joining at once gets a
 * list every second or two instead of flooding the server and its network.
 */
const PEOPLE_BYTES_PER_MS = 50_000;
export const peopleTickMs = (bytes: number) => Math.max(TICK_MS, Math.round(bytes / PEOPLE_BYTES_PER_MS));
