/**
 * The board as a test client saw it: what its snapshots and changes add up
 * to, applied as a page applies them (protocol 2 by seq, skipping what it
 * has; the lesson's protocol as it comes), and every circle it was given
 * twice while it still had it, which no client should ever be.
 */
import type { BoardEvent, BoardSnapshot, Circle } from "../../lib/protocol/events.js";
import type { TestClient } from "./test-server.js";

export interface SeenBoard {
  /** The last seq applied (protocol 2; the last snapshot's for the lesson's protocol). */
  seq: number;
  /** The circles' ids, in the order the board has them. */
  ids: string[];
  /** Ids added while already on the board. */
  doubled: string[];
}

export function seenBoard(client: TestClient): SeenBoard {
  let seq = 0;
  let ids: string[] = [];
  const doubled: string[] = [];
  const add = (id: string) => {
    if (ids.includes(id)) doubled.push(id);
    else ids.push(id);
  };
  const apply = (event: BoardEvent) => {
    if (event.type === "add") add(event.circle.id);
    else if (event.type === "remove") ids = ids.filter((id) => id !== event.id);
    else ids = [];
  };
  for (const { event, args } of client.received) {
    if (event === "board-snapshot") {
      const snapshot = args[0] as BoardSnapshot;
      seq = snapshot.seq;
      ids = snapshot.circles.map((circle) => circle.id);
    } else if (event === "board-events") {
      for (const change of (args[0] as { events: BoardEvent[] }).events) {
        if (change.seq <= seq) continue;
        seq = change.seq;
        apply(change);
      }
    } else if (event === "add-circle") add((args[0] as Circle).id);
    else if (event === "remove-circle") ids = ids.filter((id) => id !== (args[0] as { id: string }).id);
    else if (event === "clear-circles") ids = [];
  }
  return { seq, ids, doubled };
}
