/** Socket.IO rooms: one per board and protocol, so each kind of client gets its own encoding of a change. */
import type { Protocol } from "../lib/protocol/events.js";

export const roomOf = (board: string, protocol: Protocol) => `board:${protocol}:${board}`;

/** Both rooms of a board, for what every client receives alike (the player list). */
export const roomsOf = (board: string) => [roomOf(board, 1), roomOf(board, 2)];
