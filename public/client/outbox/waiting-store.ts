/**
 * A board's taps and undos waiting to be sent, kept in this browser's
 * storage under `circles:waiting:<board>` so that closing the tab loses
 * none: `{"version":1,"writes":[{"kind":"add","id","circle","at"},
 * {"kind":"undo","op","id","at"}, ...]}`, oldest first. Every change reads
 * the list and writes it back at once, so that two tabs of one board add to
 * it without dropping each other's. When storage is blocked or full the
 * writes still wait, in the page only (outbox.ts keeps them).
 */
import type { CircleInput } from "../../../lib/protocol/events.js";
import { OPERATION_ID_PATTERN } from "../../../lib/protocol/rules.js";
import type { KeyStorage } from "../people/keys.js";
import { waitingKey } from "./policy.js";

/** The writes that outlast the page: a tap, and an undo of a circle it names. */
export type LastingWrite = { kind: "add"; id: string; circle: CircleInput; at: number } | { kind: "undo"; op: string; id: string; at: number };

/** What outbox.ts needs of the storage, so that tests can hand in their own. */
export interface WaitingStorage {
  /** Every write kept, oldest first; malformed ones are left out. */
  load(): LastingWrite[];
  put(write: LastingWrite): void;
  drop(write: LastingWrite): void;
  /** Forget every write of the board (it was deleted, or this player removed from it). */
  clear(): void;
}

const VERSION = 1;

const isId = (value: unknown): value is string => typeof value === "string" && OPERATION_ID_PATTERN.test(value);
const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

function isCircleInput(value: unknown): value is CircleInput {
  if (typeof value !== "object" || value === null) return false;
  const c = value as Record<string, unknown>;
  return typeof c.initials === "string" && typeof c.rgba === "string" && isNumber(c.x) && isNumber(c.y) && isNumber(c.dia);
}

function isLastingWrite(value: unknown): value is LastingWrite {
  if (typeof value !== "object" || value === null) return false;
  const w = value as Record<string, unknown>;
  if (!isNumber(w.at) || !isId(w.id)) return false;
  return (w.kind === "add" && isCircleInput(w.circle)) || (w.kind === "undo" && isId(w.op));
}

/** An add is known by its circle's id, an undo by its operation's. */
export function sameWrite(a: LastingWrite, b: LastingWrite): boolean {
  return a.kind === b.kind && (a.kind === "add" ? a.id === b.id : a.op === (b as { op: string }).op);
}

export class WaitingStore implements WaitingStorage {
  readonly #key: string;
  readonly #storage: () => KeyStorage;

  constructor(board: string, storage: () => KeyStorage = () => localStorage) {
    this.#key = waitingKey(board);
    this.#storage = storage;
  }

  load(): LastingWrite[] {
    try {
      const kept = JSON.parse(this.#storage().getItem(this.#key) ?? "null") as { version?: unknown; writes?: unknown } | null;
      return kept?.version === VERSION && Array.isArray(kept.writes) ? kept.writes.filter(isLastingWrite) : [];
    } catch {
      // blocked storage, or not our JSON: nothing to take up
      return [];
    }
  }

  put(write: LastingWrite): void {
    const writes = this.load();
    if (!writes.some((kept) => sameWrite(kept, write))) this.#save([...writes, write]);
  }

  drop(write: LastingWrite): void {
    const writes = this.load();
    const left = writes.filter((kept) => !sameWrite(kept, write));
    if (left.length !== writes.length) this.#save(left);
  }

  clear(): void {
    this.#save([]);
  }

  #save(writes: readonly LastingWrite[]): void {
    try {
      if (writes.length === 0) this.#storage().removeItem(this.#key);
      else this.#storage().setItem(this.#key, JSON.stringify({ version: VERSION, writes }));
    } catch {
      // blocked or full: the outbox still holds them, for as long as the page is open
    }
  }
}
