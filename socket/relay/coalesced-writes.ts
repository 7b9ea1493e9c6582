/**
 * When Engine.IO flushes several packets to a WebSocket at once (those that
 * queued while its previous write was in flight), they go out in one write
 * instead of one per packet: the socket's TCP stream is corked for the
 * flush and uncorked right after it. On a busy server each write is a system
 * call, and those, not the bytes, are what fan-out costs.
 */
import type { CirclesServer } from "../types.js";

interface Corkable {
  cork(): void;
  uncork(): void;
}

/** What this needs of an Engine.IO socket: its transport, and for a WebSocket, ws's socket and its TCP stream. */
interface EngineSocket {
  transport: { name: string; socket?: { _socket?: Corkable } };
}

export function coalesceWrites(io: CirclesServer): void {
  io.engine.on("flush", (socket: EngineSocket, packets: readonly unknown[]) => {
    if (packets.length < 2 || socket.transport.name !== "websocket") return;
    const stream = socket.transport.socket?._socket;
    if (stream === undefined) return;
    stream.cork();
    process.nextTick(() => stream.uncork());
  });
}
