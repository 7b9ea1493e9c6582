import { describe, expect, it } from "vitest";
import type { BoardEvent } from "../../lib/protocol/events.js";
import { lessonFrames, textFrameHeader } from "./lesson-frames.js";

const circle = { id: "c1", initials: "AB", x: 1, y: 2, dia: 3, rgba: "red", createdAt: 5 };

/** The payloads of back-to-back unmasked frames, read the way RFC 6455 §5.2 lays them out. */
function payloads(wire: Buffer): { fin: boolean; opcode: number; text: string }[] {
  const frames = [];
  for (let at = 0; at < wire.length;) {
    let length = (wire[at + 1] as number) & 0x7f;
    let start = at + 2;
    if (length === 126) [length, start] = [wire.readUInt16BE(at + 2), at + 4];
    else if (length === 127) [length, start] = [Number(wire.readBigUInt64BE(at + 2)), at + 10];
    const first = wire[at] as number;
    frames.push({ fin: (first & 0x80) !== 0, opcode: first & 0x0f, text: wire.subarray(start, start + length).toString() });
    at = start + length;
  }
  return frames;
}

describe("lessonFrames", () => {
  it("encodes each change as the lesson's events, one final text frame each, in order", () => {
    const changes: BoardEvent[] = [
      { seq: 1, type: "add", circle },
      { seq: 2, type: "remove", id: "c0" },
      { seq: 3, type: "clear" },
    ];
    const { events, wire } = lessonFrames(changes);
    expect(events).toEqual([["add-circle", circle], ["remove-circle", { id: "c0" }], ["clear-circles"], ["clear-display"]]);
    expect(payloads(wire)).toEqual([
      { fin: true, opcode: 1, text: `42["add-circle",${JSON.stringify(circle)}]` },
      { fin: true, opcode: 1, text: '42["remove-circle",{"id":"c0"}]' },
      { fin: true, opcode: 1, text: '42["clear-circles"]' },
      { fin: true, opcode: 1, text: '42["clear-display"]' },
    ]);
  });
});

describe("textFrameHeader", () => {
  it("uses the 7-bit, 16-bit and 64-bit lengths at their bounds", () => {
    expect([...textFrameHeader(125)]).toEqual([0x81, 125]);
    expect([...textFrameHeader(126)]).toEqual([0x81, 126, 0, 126]);
    expect([...textFrameHeader(65_535)]).toEqual([0x81, 126, 0xff, 0xff]);
    expect([...textFrameHeader(65_536)]).toEqual([0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
  });
});
