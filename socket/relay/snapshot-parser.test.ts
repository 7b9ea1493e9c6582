import * as parser from "socket.io-parser";
import { describe, expect, it, vi } from "vitest";
import { snapshotParser } from "./snapshot-parser.js";

const snapshot = { board: "b", seq: 3, circles: [{ id: "c", initials: "AB", x: 1, y: 2, dia: 3, rgba: "#abc", createdAt: 0 }] };
const event = (data: unknown[], extra: Partial<parser.Packet> = {}): parser.Packet => ({ type: parser.PacketType.EVENT, nsp: "/", data, ...extra });

describe("snapshotParser", () => {
  const encoder = new snapshotParser.Encoder();
  const plain = new parser.Encoder();

  it("encodes a snapshot, as an event or in a sync-board answer, exactly as Socket.IO does, serialising it once per snapshot object", () => {
    const ack = (id: number, data: unknown[]): parser.Packet => ({ type: parser.PacketType.ACK, nsp: "/", id, data });
    const packets = [event(["board-snapshot", snapshot]), ack(1, [{ ok: true, snapshot }]), ack(22, [{ ok: true, snapshot }])];
    for (const packet of packets) expect(encoder.encode(packet)).toEqual(plain.encode(packet));
    const stringify = vi.spyOn(JSON, "stringify");
    try {
      for (const packet of packets) expect(encoder.encode(packet)).toEqual(plain.encode(packet));
      // Only the plain encoder serialised anything the second time round.
      expect(stringify).toHaveBeenCalledTimes(packets.length);
      // A new version is a new object: serialised afresh.
      const next = { ...snapshot, seq: 4 };
      expect(encoder.encode(event(["board-snapshot", next]))).toEqual(plain.encode(event(["board-snapshot", next])));
    } finally {
      stringify.mockRestore();
    }
  });

  it("leaves every other packet to Socket.IO's encoder: other events and acks, acks with an id, other namespaces", () => {
    const others = [
      event(["add-circle", snapshot.circles[0]]),
      event(["board-snapshot", snapshot], { id: 7 }),
      { type: parser.PacketType.ACK, nsp: "/", id: 1, data: [{ ok: true, events: [] }] },
      { type: parser.PacketType.ACK, nsp: "/", id: 2, data: [{ ok: true, snapshot, extra: 1 }] },
      { type: parser.PacketType.ACK, nsp: "/", id: 3, data: [{ snapshot, ok: true }] },
      { type: parser.PacketType.ACK, nsp: "/", id: 4, data: [{ ok: true, snapshot: Buffer.from("x") }] },
      event(["board-snapshot", snapshot], { nsp: "/admin" }),
      { type: parser.PacketType.ACK, nsp: "/admin", id: 5, data: [{ ok: true, snapshot }] },
    ];
    for (const packet of others) expect(encoder.encode(packet)).toEqual(plain.encode(packet));
  });

  it("decodes with Socket.IO's own decoder", () => {
    expect(snapshotParser.Decoder).toBe(parser.Decoder);
  });
});
