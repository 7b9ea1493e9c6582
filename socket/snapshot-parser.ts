/**
 * Socket.IO's own packet parser, with one change: a board snapshot is
 * encoded once per version of the board, however many sockets it is sent to
 * and in however many turns. `LiveBoard.snapshot()` returns the same object
 * until the board changes, so the object itself is the cache key, and a
 * WeakMap lets an old version's encoding go with it.
 */
import * as parser from "socket.io-parser";

const encoded = new WeakMap<object, unknown[]>();

class SnapshotCachingEncoder extends parser.Encoder {
  override encode(packet: parser.Packet): unknown[] {
    const data: unknown = packet.data;
    // Only a plain broadcast or emit of `board-snapshot`: an ack's packet carries its own id.
    if (packet.type !== parser.PacketType.EVENT || packet.id !== undefined || !Array.isArray(data) || data[0] !== "board-snapshot") {
      return super.encode(packet);
    }
    const snapshot = data[1] as object;
    const cached = encoded.get(snapshot);
    if (cached && packet.nsp === "/") return cached;
    const result = super.encode(packet);
    if (packet.nsp === "/") encoded.set(snapshot, result);
    return result;
  }
}

export const snapshotParser = { ...parser, Encoder: SnapshotCachingEncoder };
