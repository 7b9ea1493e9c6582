import * as parser from "socket.io-parser";
import { describe, expect, it } from "vitest";
import { snapshotParser } from "./snapshot-parser.js";

const snapshot = { board: "b", seq: 3, circles: [{ id: "c", initials: "AB", x: 1, y: 2, dia: 3, rgba: "#abc", createdAt: 0 }] };
const event = (data: unknown[], extra: Partial<parser.Packet> = {}): parser.Packet => ({ type: parser.PacketType.EVENT, nsp: "/", data, ...extra });

describe("snapshotParser", () => {
  const encoder = new snapshotParser.Encoder();
  const plain = new parser.Encoder();

  it("encodes a snapshot exactly as Socket.IO does, and only once per snapshot object", () => {
    const first = encoder.encode(event(["board-snapshot", snapshot]));
    expect(first).toEqual(plain.encode(event(["board-snapshot", snapshot])));
    expect(encoder.encode(event(["board-snapshot", snapshot]))).toBe(first);
    // A new version is a new object: encoded afresh.
    const next = { ...snapshot, seq: 4 };
    expect(encoder.encode(event(["board-snapshot", next]))).not.toBe(first);
    expect(encoder.encode(event(["board-snapshot", next]))).toEqual(plain.encode(event(["board-snapshot", next])));
  });

  it("leaves every other packet to Socket.IO's encoder: other events, acks, other namespaces", () => {
    const others = [
      event(["add-circle", snapshot.circles[0]]),
      event(["board-snapshot", snapshot], { id: 7 }),
      { type: parser.PacketType.ACK, nsp: "/", id: 1, data: [{ ok: true, snapshot }] },
    ];
    for (const packet of others) {
      const encoded = encoder.encode(packet);
      expect(encoded).toEqual(plain.encode(packet));
      expect(encoder.encode(packet)).not.toBe(encoded);
    }
    const elsewhere = event(["board-snapshot", snapshot], { nsp: "/admin" });
    expect(encoder.encode(elsewhere)).toEqual(plain.encode(elsewhere));
  });

  it("decodes with Socket.IO's own decoder", () => {
    expect(snapshotParser.Decoder).toBe(parser.Decoder);
  });
});
