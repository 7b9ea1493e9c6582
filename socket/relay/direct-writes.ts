/**
 * Writes a window's pre-built WebSocket frames (`lesson-frames.ts`) to one
 * socket. When Engine.IO and ws have nothing of the socket's waiting, the
 * bytes go straight to its TCP stream: they then follow everything already
 * sent, exactly as if Engine.IO had written them, without the packet, the
 * callbacks and the events Engine.IO makes per socket per write, which under
 * fan-out cost more than the write itself. Otherwise they are queued behind
 * what waits, through Engine.IO (which writes a pre-encoded frame as it is).
 * Long-polling sockets cannot take frames: the caller emits the events.
 */
import type { RelayedEvent, RelayFrames } from "./lesson-frames.js";
import type { CirclesServer, CirclesSocket } from "../types.js";

/** ws's Sender states: only DEFAULT writes through; the others queue. */
const SENDER_DEFAULT = 0;
/** ws's WebSocket.OPEN. */
const OPEN = 1;

/** What this reads of Engine.IO's socket and ws's WebSocket beneath a Socket.IO socket (private fields of both). */
interface EngineSocket {
  writeBuffer: unknown[];
  transport: {
    name: string;
    socket?: {
      readyState: number;
      _sender?: { _state: number; _queue: unknown[] };
      _socket?: { writable: boolean; write(data: Buffer): boolean };
    };
  };
  write(data: string, options: { compress: boolean; wsPreEncodedFrame: Buffer[] }): void;
}

/** Writes `wire` (whole WebSocket frames) to the socket, in order with what it was sent before; false for a long-polling socket. */
function writeFrames(socket: CirclesSocket, wire: Buffer): boolean {
  const conn = socket.conn as unknown as EngineSocket;
  const { transport } = conn;
  if (transport.name !== "websocket") return false;
  const ws = transport.socket;
  const stream = ws?._socket;
  const sender = ws?._sender;
  if (
    stream?.writable === true &&
    ws?.readyState === OPEN &&
    conn.writeBuffer.length === 0 &&
    sender?._state === SENDER_DEFAULT &&
    sender._queue.length === 0
  ) {
    stream.write(wire);
  } else {
    conn.write("", { compress: false, wsPreEncodedFrame: [wire] });
  }
  return true;
}

/** Sends `frames` to every socket of this node in `rooms` (each once), the events one by one to long-polling sockets; returns how many sockets. */
export function sendToRooms(io: CirclesServer, rooms: readonly string[], frames: RelayFrames): number {
  let sent = 0;
  for (const name of rooms) {
    const room = io.sockets.adapter.rooms.get(name);
    if (room === undefined) continue;
    for (const id of room) {
      const socket = io.sockets.sockets.get(id);
      if (socket === undefined) continue;
      sent++;
      if (!writeFrames(socket, frames.wire)) for (const event of frames.events) emitEvent(socket, event);
    }
  }
  return sent;
}

/** `socket.emit` for any one of these events (TypeScript cannot spread a union of tuples into its overloads). */
const emitEvent = (socket: CirclesSocket, event: RelayedEvent) => (socket.emit as (...args: RelayedEvent) => boolean)(...event);
