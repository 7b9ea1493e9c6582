/**
 * A write its client named, so that a retry changes nothing (see `Once` in
 * `store/board-store.ts`): the name the store checks, what the write is (its
 * fingerprint: the same name for another write is a conflict), and how long
 * the name is kept. The store answers a retry with its first answer, which
 * the board service turns into the client's answer as it did the first time.
 */
import type { CircleInput, RoomRules } from "../protocol/events.js";
import { OPERATION_MEMORY_MS } from "../protocol/rules.js";
import type { Once } from "../store/board-store.js";

/** Every write a client may name, with what makes it that write. */
export type NamedWrite =
  | { kind: "clear" }
  | { kind: "undo-circle"; id: string | undefined }
  | { kind: "undo-clear"; seq: number }
  | { kind: "claim"; host: string }
  | { kind: "lock"; locked: boolean }
  | { kind: "rules"; rules: Partial<RoomRules> }
  | { kind: "remove-player"; id: string }
  | { kind: "readmit-player"; id: string }
  | { kind: "delete-board" };

/** What the same write sent again says the same way. */
function fingerprintOf(write: NamedWrite): string {
  switch (write.kind) {
    case "undo-circle":
      return `undo-circle ${write.id ?? "newest"}`;
    case "undo-clear":
      return `undo-clear ${write.seq}`;
    case "claim":
      return `claim ${write.host}`;
    case "lock":
      return `lock ${write.locked}`;
    case "rules":
      return `rules ${write.rules.draw ?? "-"} ${write.rules.chat ?? "-"}`;
    case "remove-player":
    case "readmit-player":
      return `${write.kind} ${write.id}`;
    case "clear":
    case "delete-board":
      return write.kind;
  }
}

/** The store's name for a write other than an add, kept OPERATION_MEMORY_MS from `now`; none when the client gave no `op`. */
export function operationName(op: string | undefined, write: NamedWrite, now: number): Once | undefined {
  return op === undefined ? undefined : { id: op, fingerprint: fingerprintOf(write), keepUntil: now + OPERATION_MEMORY_MS };
}

/**
 * An add's name: its circle's id, kept as long as the board, and the circle
 * as the client sent it (the server's time and the player's registered
 * initials may differ between tries; what was drawn may not).
 */
export function circleName(id: string, input: CircleInput): Once {
  const { initials, x, y, dia, rgba } = input;
  return { id, fingerprint: `add ${JSON.stringify([initials, x, y, dia, rgba])}` };
}

export const NAME_CONFLICT = "that id was already used on this board for a different write: make a new one";
