/**
 * Brings a socket onto its board: first the board (a snapshot, or only what
 * a returning `protocol=2` client missed), then the player list (and to
 * `protocol=2` clients who is here, the board's lock and rules, and to its
 * host the players removed from it), then live
 * changes, all in one synchronous step taken the moment the board is live
 * (see `BoardService.open`), so that no change falls between them: a change
 * is either in what the socket was sent here or reaches it in its room.
 * The snapshot is encoded once per version however many sockets join
 * (`socket/relay/snapshot-parser.ts`).
 */
import type { LiveBoard } from "../lib/board/live-board.js";
import { boardPeople, type LiveState } from "../lib/live-state/live-state.js";
import type { Fanout } from "./relay/fanout.js";
import { roomOf } from "./rooms.js";
import type { CirclesSocket } from "./types.js";

import { boardRules, hasHostPowers, ROOM_ERRORS } from "../lib/board/room-rules.js";
import { removedList } from "./room-notices.js";
export interface Joins {
  /** Admit the socket to the board it chose; `live` holds that board. */
  admit(socket: CirclesSocket, live: LiveBoard): void;
}

export function createJoins(presence: Pick<LiveState, "players" | "playerDetails" | "here">, fanout: Pick<Fanout, "flushBoard">): Joins {
  return {
    admit(socket, live) {
      if (!socket.connected) return;
      // Removed while its board loaded: it goes as the others of that player went.
      if (live.isRemoved(socket.data.owner)) {
        socket.emit("player-removed", { reason: ROOM_ERRORS.removed });
        socket.disconnect(true);
        return;
      }
      // Changes still waiting for their tick are in what the newcomer gets now.
      fanout.flushBoard(live.name);
      const { protocol, since } = socket.data;
      const missed = protocol === 2 && since !== undefined ? live.since(since) : undefined;
      if (missed) socket.emit("board-events", { events: missed });
      else socket.emit("board-snapshot", live.snapshot());
      socket.emit("update-player-list", presence.players(live.name));
      if (protocol === 2) {
        const host = hasHostPowers(live.host, socket.data);
        socket.emit("board-people", boardPeople(presence, live.name));
        socket.emit("board-lock", { locked: live.host?.locked ?? false, host });
        socket.emit("board-rules", { ...boardRules(live.rules, live.host), host });
        if (host) socket.emit("removed-players", removedList(live.removed));
      }
      void socket.join(roomOf(live.name, protocol));
    },
  };
}
