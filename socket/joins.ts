/**
 * Brings sockets onto their board: first the board (a snapshot, or only
 * what a returning `protocol=2` client missed), then the player list, then
 * live changes, all in one turn of the event loop so that no change falls
 * between them. Sockets that arrive on a board in the same turn share one
 * encoding of the snapshot and of the list: a class reconnecting at once
 * costs one encoding, not one per socket.
 */
import type { LiveBoard } from "../lib/live-board.js";
import type { Presence } from "../lib/presence.js";
import type { Fanout } from "./fanout.js";
import { roomOf } from "./rooms.js";
import type { CirclesServer, CirclesSocket } from "./types.js";

export interface Joins {
  /** Admit the socket to the board it chose, once `live` holds that board. */
  admit(socket: CirclesSocket, live: LiveBoard): void;
}

export function createJoins(io: CirclesServer, presence: Presence, fanout: Pick<Fanout, "flushBoard">): Joins {
  const waiting = new Map<LiveBoard, CirclesSocket[]>();
  let scheduled = false;

  const admitAll = () => {
    scheduled = false;
    const groups = [...waiting];
    waiting.clear();
    for (const [live, sockets] of groups) {
      const arrived = sockets.filter((socket) => socket.connected);
      if (arrived.length > 0) admitGroup(live, arrived);
    }
  };

  const admitGroup = (live: LiveBoard, sockets: CirclesSocket[]) => {
    // Changes still waiting for their tick are in what the newcomers get now.
    fanout.flushBoard(live.name);
    const needSnapshot: string[] = [];
    for (const socket of sockets) {
      const { protocol, since } = socket.data;
      const missed = protocol === 2 && since !== undefined ? live.since(since) : undefined;
      if (missed) socket.emit("board-events", { events: missed });
      else needSnapshot.push(socket.id);
    }
    if (needSnapshot.length > 0) io.to(needSnapshot).emit("board-snapshot", live.snapshot());
    io.to(sockets.map((socket) => socket.id)).emit("update-player-list", presence.players(live.name));
    for (const socket of sockets) void socket.join(roomOf(live.name, socket.data.protocol));
  };

  return {
    admit(socket, live) {
      const group = waiting.get(live);
      if (group) group.push(socket);
      else waiting.set(live, [socket]);
      if (!scheduled) {
        scheduled = true;
        setImmediate(admitAll);
      }
    },
  };
}
