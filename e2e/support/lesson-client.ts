/**
 * A client of the lesson's protocol (no `protocol=2`), in the test process:
 * a plain socket.io-client, as scripts and the lesson's own page are. Tests
 * use it to write to a board without a browser, and to check that such
 * clients and the browser still share one board.
 */
import { io, type Socket } from "socket.io-client";
import type { Ack, Circle, CircleInput, ClientToServerEvents, ServerToClientEvents } from "../../lib/protocol/events.js";

type LessonSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface LessonClient {
  socket: LessonSocket;
  /** Every circle this client was told about, by snapshot or `add-circle`, in order. */
  readonly heard: Circle[];
  add(circle: CircleInput): Promise<Circle>;
  clear(): Promise<void>;
  close(): void;
}

/** Connect to `board` and wait for its snapshot. */
export async function openLessonClient(url: string, board: string): Promise<LessonClient> {
  const socket: LessonSocket = io(url, { query: { board }, transports: ["websocket"], reconnection: false });
  const heard: Circle[] = [];
  socket.on("add-circle", (circle) => heard.push(circle));
  await new Promise<void>((resolve, reject) => {
    socket.once("board-snapshot", (snapshot) => {
      heard.push(...snapshot.circles);
      resolve();
    });
    socket.once("connect_error", reject);
  });
  const answered = <T extends object>(ack: Ack<T>): T & { ok: true } => {
    if (!ack.ok) throw new Error(`the server refused: ${ack.error}`);
    return ack;
  };
  return {
    socket,
    heard,
    add: async (circle) => answered(await socket.timeout(5000).emitWithAck("add-circle", circle)).circle,
    clear: async () => void answered(await socket.timeout(5000).emitWithAck("clear-circles")),
    close: () => void socket.disconnect(),
  };
}

/** A circle of a fixed size and colour, so that tests know exactly what the canvas should show. */
export function plainCircle(x: number, y: number, overrides: Partial<CircleInput> = {}): CircleInput {
  return { initials: "LC", x, y, dia: 60, rgba: "rgba(200, 40, 40, 0.8)", ...overrides };
}
