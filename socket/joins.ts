/**
 * Brings a socket onto its board: first the board (a snapshot, or only what
 * a returning `protocol=2` client missed), then the player list (and to
 * `protocol=2` clients who is here and the board's lock), then live
 * changes, all in one synchronous step taken the moment the board is live
 * (see `BoardService.open`), so that no change falls between them: a change
 * is either in what the socket was sent here or reaches it in its room.
 * The snapshot is encoded once per version however many sockets join
 * (`snapshot-parser.ts`).
 */
import type { LiveBoard } from "../lib/board/live-board.js";
import { boardPeople, type LiveState } from "../lib/live-state/live-state.js";
import type { Fanout } from "./fanout.js";
import { roomOf } from "./rooms.js";
import type { CirclesSocket } from "./types.js";

export interface Joins {
  /** Admit the socket to the board it chose; `live` holds that board. */
  admit(socket: CirclesSocket, live: LiveBoard): void;
}

export function createJoins(presence: Pick<LiveState, "players" | "playerDetails" | "here">, fanout: Pick<Fanout, "flushBoard">): Joins {
  return {
    admit(socket, live) {
      if (!socket.connected) return;
      // Changes still waiting for their tick are in what the newcomer gets now.
      fanout.flushBoard(live.name);
      const { protocol, since } = socket.data;
      const missed = protocol === 2 && since !== undefined ? live.since(since) : undefined;
      if (missed) socket.emit("board-events", { events: missed });
      else socket.emit("board-snapshot", live.snapshot());
      socket.emit("update-player-list", presence.players(live.name));
      if (protocol === 2) {
        socket.emit("board-people", boardPeople(presence, live.name));
        socket.emit("board-lock", { locked: live.host?.locked ?? false, host: live.host !== undefined && live.host.hash === socket.data.host });
      }
      void socket.join(roomOf(live.name, protocol));
    },
  };
}
