/**
 * Socket.IO's own packet parser, with one change: a board snapshot is
 * serialised once per version of the board, however many sockets it is sent
 * to, in however many turns, and whether it goes out as a `board-snapshot`
 * event or in a `sync-board` acknowledgement `{ok: true, snapshot}` (the
 * dearest answer the server gives, asked for again and again by a client
 * that keeps falling behind). `LiveBoard.snapshot()` returns the same object
 * until the board changes, so the object itself is the cache key, and a
 * WeakMap lets an old version's JSON go with it.
 */
import * as parser from "socket.io-parser";

const json = new WeakMap<object, string | null>();
const EVENT_PREFIX = `${parser.PacketType.EVENT}["board-snapshot",`;

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null;

/** `{ok: true, snapshot}` and nothing else, as `sync-board` answers with a whole board. */
function snapshotReply(data: unknown): object | undefined {
  if (!Array.isArray(data) || data.length !== 1 || !isObject(data[0])) return undefined;
  const reply = data[0] as Record<string, unknown>;
  const keys = Object.keys(reply);
  if (keys.length !== 2 || keys[0] !== "ok" || keys[1] !== "snapshot" || reply["ok"] !== true) return undefined;
  return isObject(reply["snapshot"]) ? reply["snapshot"] : undefined;
}

class SnapshotCachingEncoder extends parser.Encoder {
  override encode(packet: parser.Packet): unknown[] {
    if (packet.nsp !== "/") return super.encode(packet);
    const data: unknown = packet.data;
    if (packet.type === parser.PacketType.EVENT && packet.id === undefined && Array.isArray(data) && data.length === 2) {
      if (data[0] === "board-snapshot" && isObject(data[1])) {
        const text = this.#jsonOf(data[1]);
        if (text !== null) return [`${EVENT_PREFIX}${text}]`];
      }
    }
    if (packet.type === parser.PacketType.ACK && packet.id !== undefined) {
      const snapshot = snapshotReply(data);
      const text = snapshot && this.#jsonOf(snapshot);
      if (text) return [`${parser.PacketType.ACK}${packet.id}[{"ok":true,"snapshot":${text}}]`];
    }
    return super.encode(packet);
  }

  /**
   * The snapshot's JSON as Socket.IO's own encoder writes it, taken from its
   * encoding of the `board-snapshot` event; null when that has binary
   * attachments (never, for a board), which are then left to it every time.
   */
  #jsonOf(snapshot: object): string | null {
    let text = json.get(snapshot);
    if (text === undefined) {
      const [first, ...attachments] = super.encode({ type: parser.PacketType.EVENT, nsp: "/", data: ["board-snapshot", snapshot] });
      text = attachments.length === 0 && typeof first === "string" ? first.slice(EVENT_PREFIX.length, -1) : null;
      json.set(snapshot, text);
    }
    return text;
  }
}

export const snapshotParser = { ...parser, Encoder: SnapshotCachingEncoder };
