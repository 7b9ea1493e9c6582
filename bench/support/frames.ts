/**
 * The benchmark's circles and what receivers read from the server's frames,
 * without JSON.parse where they can: a circle's position encodes the number
 * it was sent as (`numberedCircle`), so reading its `"x":` and `"y":` tells
 * a receiver which circle arrived. Large frames reach every socket of a
 * board byte for byte the same, so `FrameCache` decodes each once and
 * recognises the copies by comparing all their bytes.
 */
import type { CircleInput } from "../../lib/protocol/events.js";

const WIDTH = 1920;
const HEIGHT = 1081;
/** The largest number a circle can carry. */
export const MAX_CIRCLE_NUMBER = WIDTH * HEIGHT - 1;

/** A valid circle whose position encodes `n`. */
export function numberedCircle(n: number): CircleInput {
  return { initials: "BN", x: n % WIDTH, y: Math.floor(n / WIDTH) % HEIGHT, dia: 20, rgba: "rgba(12, 34, 56, 0.7)" };
}

/** The JSON of an `add-circle` emit for circle `n`, as the server is sent it. */
export const addCircleBody = (n: number) => `["add-circle",${JSON.stringify(numberedCircle(n))}]`;

/**
 * The same for the raw relay, which passes it on as is: the circle as the
 * server relays it (an id as long as a UUID, a createdAt), so that both
 * deliver the same bytes.
 */
export const rawCircleBody = (n: number) =>
  `["add-circle",${JSON.stringify({ id: `raw-${String(n).padStart(32, "0")}`, ...numberedCircle(n), createdAt: Date.now() })}]`;

const X = Buffer.from('"x":');
const Y = Buffer.from('"y":');
const SEQ = Buffer.from('"seq":');
const TYPE = Buffer.from('"type":"');

/** The whole number at `at`, or -1 when there is none (or it has a fraction). */
function intAt(frame: Buffer, at: number): number {
  let value = 0;
  let i = at;
  for (let c = frame[i]; c !== undefined && c >= 0x30 && c <= 0x39; c = frame[++i]) value = value * 10 + (c - 0x30);
  return i === at || frame[i] === 0x2e ? -1 : value;
}

/** The number of the circle whose `"x":` is at or after `from`, and where its `"y":` ends; -1 if not numbered. */
function circleAt(frame: Buffer, from: number): { n: number; end: number } {
  const x = frame.indexOf(X, from);
  if (x < 0) return { n: -1, end: frame.length };
  const y = frame.indexOf(Y, x);
  if (y < 0) return { n: -1, end: frame.length };
  const xs = intAt(frame, x + X.length);
  const ys = intAt(frame, y + Y.length);
  return { n: xs < 0 || ys < 0 ? -1 : ys * WIDTH + xs, end: y + Y.length };
}

/** The circle number of a lesson `42["add-circle",{...}]` frame. */
export const addedCircle = (frame: Buffer) => circleAt(frame, 15).n;

/** What a `board-events` frame does to a receiver's board. */
export interface EventsFrame {
  /** The numbers of the circles it adds, in order (-1 for circles not numbered). */
  added: number[];
  /** Circles added minus circles removed after the last clear (or in all, without one). */
  delta: number;
  cleared: boolean;
  /** The last seq it carries; -1 for an empty batch. */
  lastSeq: number;
}

export function decodeEvents(frame: Buffer): EventsFrame {
  const result: EventsFrame = { added: [], delta: 0, cleared: false, lastSeq: -1 };
  let i = frame.indexOf(SEQ);
  while (i >= 0) {
    result.lastSeq = intAt(frame, i + SEQ.length);
    const type = frame.indexOf(TYPE, i);
    const kind = frame[type + TYPE.length];
    let next = type + TYPE.length;
    if (kind === 0x61 /* add */) {
      const circle = circleAt(frame, next);
      result.added.push(circle.n);
      result.delta++;
      next = circle.end;
    } else if (kind === 0x72 /* remove */) {
      result.delta--;
    } else {
      result.cleared = true;
      result.delta = 0;
    }
    i = frame.indexOf(SEQ, next);
  }
  return result;
}

/** A `board-snapshot` frame: its seq and how many circles it holds. */
export function decodeSnapshot(frame: Buffer): { seq: number; count: number } {
  const seqAt = frame.indexOf(SEQ);
  let count = 0;
  for (let i = frame.indexOf(X, seqAt); i >= 0; i = frame.indexOf(X, i + X.length)) count++;
  return { seq: seqAt < 0 ? -1 : intAt(frame, seqAt + SEQ.length), count };
}

/** Decodes each distinct frame once: the last few decoded are kept with their bytes. */
export class FrameCache<T> {
  readonly #decode: (frame: Buffer) => T;
  readonly #entries: { frame: Buffer; value: T }[] = [];
  readonly #size: number;
  /** Frames decoded, and frames recognised as copies. */
  decoded = 0;
  reused = 0;

  constructor(decode: (frame: Buffer) => T, size = 8) {
    this.#decode = decode;
    this.#size = size;
  }

  get(frame: Buffer): T {
    for (const entry of this.#entries) {
      if (entry.frame.length === frame.length && entry.frame.equals(frame)) {
        this.reused++;
        return entry.value;
      }
    }
    const value = this.#decode(frame);
    this.decoded++;
    this.#entries.unshift({ frame, value });
    if (this.#entries.length > this.#size) this.#entries.pop();
    return value;
  }
}
