/** The typed Socket.IO server and socket of circles. */
import type { Server, Socket } from "socket.io";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "../lib/protocol/events.js";

export type CirclesServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type CirclesSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
