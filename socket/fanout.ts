/**
 * Relays a board's changes to its sockets. Lesson clients get each change as
 * its own event the moment it is stored, as the lesson does; `protocol=2`
 * clients get one `board-events` message per board per tick. Player lists go
 * out at most once per tick per board. Each message is encoded once for all
 * the sockets of its room (Socket.IO pre-encodes a room broadcast).
 */
import type { BoardListener } from "../lib/board-service.js";
import type { BoardEvent } from "../lib/events.js";
import type { Logger } from "../lib/logger.js";
import type { Metrics } from "../lib/metrics.js";
import type { Presence } from "../lib/presence.js";
import { TickQueue } from "../lib/tick-queue.js";
import type { CirclesServer } from "./types.js";
import { roomOf, roomsOf } from "./rooms.js";

/**
 * 33 ms, about 30 messages a second: half the frames of a 16 ms tick for
 * the same changes, while a tap still reaches everyone well within the
 * tenth of a second people read as "at once".
 */
export const TICK_MS = 33;

export interface Fanout {
  listener: BoardListener;
  /** The board's player list changed: announce it with the next tick. */
  playersChanged(board: string): void;
  /** Send the board's queued changes now, so that sockets joining after them are not sent them again. */
  flushBoard(board: string): void;
  /** Send everything queued now (a shutdown). */
  flush(): void;
}

export function createFanout(
  io: CirclesServer,
  presence: Presence,
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
      if (occupied(room)) metrics.timeBroadcast("board-events", () => io.to(room).emit("board-events", { events }));
    },
    onError,
  });
  const playerLists = new TickQueue<string, never>({
    tickMs: TICK_MS,
    flush: (board) => io.to(roomsOf(board)).emit("update-player-list", presence.players(board)),
    onError,
  });

  const lesson = (board: string, event: BoardEvent) => {
    if (!occupied(roomOf(board, 1))) return;
    const room = io.to(roomOf(board, 1));
    switch (event.type) {
      case "add":
        return metrics.timeBroadcast("add-circle", () => room.emit("add-circle", event.circle));
      case "remove":
        return room.emit("remove-circle", { id: event.id });
      case "clear":
        // The lesson's clients listen for one name or the other.
        return metrics.timeBroadcast("clear-circles", () => {
          room.emit("clear-circles");
          room.emit("clear-display");
        });
    }
  };

  return {
    listener: {
      changed(board, events) {
        for (const event of events) lesson(board, event);
        batches.add(board, ...events);
      },
    },
    playersChanged: (board) => playerLists.add(board),
    flushBoard: (board) => batches.flushKey(board),
    flush() {
      batches.flush();
      playerLists.flush();
    },
  };
}
