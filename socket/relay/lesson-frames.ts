/**
 * A window's changes to a board as the lesson's events (or any message the
 * relay sends a whole room: the player list, protocol 2's batches), encoded
 * once for all of the room's sockets: as a list of events (long-polling
 * sockets are sent them one by one) and as one buffer holding a WebSocket
 * frame per event, in order, which a WebSocket socket is sent in a single
 * write. The client still receives one Engine.IO packet, and one Socket.IO
 * event, per frame: exactly the events Socket.IO would have sent.
 */
import * as parser from "socket.io-parser";
import type { BoardEvent, ServerToClientEvents } from "../../lib/protocol/events.js";

type LessonEventName = "add-circle" | "remove-circle" | "clear-circles" | "clear-display";
type RelayedEventName = LessonEventName | "update-player-list" | "board-events";
/** One event as `socket.emit` takes it: its name, then its arguments. */
export type RelayedEvent = {
  [E in RelayedEventName]: [E, ...Parameters<ServerToClientEvents[E]>];
}[RelayedEventName];
type LessonEvent = Extract<RelayedEvent, [LessonEventName, ...unknown[]]>;

export interface RelayFrames {
  events: RelayedEvent[];
  /** The WebSocket frames of `events`, back to back. */
  wire: Buffer;
}

/** The lesson's events for one stored change. */
export function lessonEvents(change: BoardEvent): LessonEvent[] {
  switch (change.type) {
    case "add":
      return [["add-circle", change.circle]];
    case "remove":
      return [["remove-circle", { id: change.id }]];
    case "clear":
      // The lesson's clients listen for one name or the other.
      return [["clear-circles"], ["clear-display"]];
  }
}

const encoder = new parser.Encoder();
/** Engine.IO's packet type for a message, which a Socket.IO packet travels in. */
const ENGINE_MESSAGE = "4";

export const lessonFrames = (changes: readonly BoardEvent[]): RelayFrames => framesOf(changes.flatMap(lessonEvents));

export function framesOf(events: RelayedEvent[]): RelayFrames {
  const frames = events.flatMap((data) => {
    const [text] = encoder.encode({ type: parser.PacketType.EVENT, nsp: "/", data }) as [string];
    const payload = Buffer.from(ENGINE_MESSAGE + text);
    return [textFrameHeader(payload.length), payload];
  });
  return { events, wire: Buffer.concat(frames) };
}

/** RFC 6455 §5.2: a final, unmasked text frame (a server's) of `length` bytes. */
export function textFrameHeader(length: number): Buffer {
  const FIN_TEXT = 0x81;
  if (length < 126) return Buffer.from([FIN_TEXT, length]);
  if (length < 0x10000) {
    const header = Buffer.alloc(4);
    header[0] = FIN_TEXT;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
    return header;
  }
  const header = Buffer.alloc(10);
  header[0] = FIN_TEXT;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}
