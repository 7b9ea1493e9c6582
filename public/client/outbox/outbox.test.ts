import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CircleInput } from "../../../lib/protocol/events.js";
import { blockedStorage, memoryStorage } from "../people/fake-storage.js";
import type { KeyStorage } from "../people/keys.js";
import { Outbox, tooOld, type Attempt, type Outcome, type Write } from "./outbox.js";
import { CLEAR_MAX_WAIT_MS, FIRST_RETRY_MS, LAST_RETRY_MS, TAP_MAX_AGE_MS, waitingKey } from "./policy.js";
import { WaitingStore, type LastingWrite } from "./waiting-store.js";

const BOARD = "room-1";
const circle: CircleInput = { initials: "AB", x: 100, y: 200, dia: 40, rgba: "rgba(1, 2, 3, 0.5)" };
const ids = ["tap-0001", "tap-0002", "tap-0003", "tap-0004"] as const;
const add = (id: string, at = Date.now()): Write => ({ kind: "add", id, circle, at });

/** An outbox on a fake socket: every write sent waits in `sent` for the test to answer it. */
function harness<S extends KeyStorage>(storage: S) {
  const sent: { write: Write; answer: (attempt: Attempt) => Promise<void> }[] = [];
  const settled: [Write, Outcome][] = [];
  const expired: Write[] = [];
  const outbox = new Outbox({
    store: new WaitingStore(BOARD, () => storage),
    send: (write) =>
      new Promise<Attempt>((resolve) => {
        sent.push({
          write,
          answer: async (attempt) => {
            resolve(attempt);
            await vi.advanceTimersByTimeAsync(0);
          },
        });
      }),
    onSettled: (write, outcome) => void settled.push([write, outcome]),
    onExpired: (writes) => void expired.push(...writes),
    onChange: () => {},
  });
  const last = () => {
    const next = sent.at(-1);
    if (!next) throw new Error("nothing was sent");
    return next;
  };
  return { outbox, sent, settled, expired, storage, last, names: () => sent.map(({ write }) => ("id" in write ? write.id : write.op)) };
}

const stored = (storage: KeyStorage): LastingWrite[] => new WaitingStore(BOARD, () => storage).load();
const done = (seq: number): Attempt => ({ ok: true, seq });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Outbox: order", () => {
  it("sends one write at a time, in the order made, the next once the previous is answered", async () => {
    const { outbox, sent, last, settled } = harness(memoryStorage());
    outbox.online(true);
    for (const id of ids.slice(0, 3)) outbox.push(add(id));
    expect(sent.map(({ write }) => write.kind === "add" && write.id)).toEqual([ids[0]]);
    await last().answer(done(1));
    expect(sent).toHaveLength(2);
    await last().answer(done(2));
    await last().answer(done(3));
    expect(settled.map(([write, outcome]) => [write.kind === "add" && write.id, outcome])).toEqual([
      [ids[0], { ok: true, seq: 1 }],
      [ids[1], { ok: true, seq: 2 }],
      [ids[2], { ok: true, seq: 3 }],
    ]);
    expect(outbox.size).toBe(0);
  });

  it("while offline keeps every write, and sends them in order once connected", async () => {
    const { outbox, sent, names } = harness(memoryStorage());
    outbox.push(add(ids[0]));
    outbox.push({ kind: "clear", op: "clear-0001", at: Date.now() });
    outbox.push(add(ids[1]));
    expect(sent).toEqual([]);
    expect(outbox.size).toBe(3);
    outbox.online(true);
    for (let seq = 1; seq <= 3; seq++) await sent.at(-1)?.answer(done(seq));
    expect(names()).toEqual([ids[0], "clear-0001", ids[1]]);
  });
});

describe("Outbox: storage", () => {
  it("keeps a tap in storage before sending it, and forgets it once answered", async () => {
    const { outbox, storage, last } = harness(memoryStorage());
    outbox.online(true);
    outbox.push(add(ids[0]));
    expect(stored(storage)).toEqual([add(ids[0])]);
    expect(storage.items.has(waitingKey(BOARD))).toBe(true);
    await last().answer(done(1));
    expect(stored(storage)).toEqual([]);
    expect(storage.items.has(waitingKey(BOARD))).toBe(false);
  });

  it("never stores a Clear or an Undo clear", () => {
    const { outbox, storage } = harness(memoryStorage());
    outbox.push({ kind: "clear", op: "clear-0001", at: Date.now() });
    outbox.push({ kind: "undo-clear", op: "undo-clear-1", seq: 4, until: Date.now() + 10_000 });
    expect(outbox.size).toBe(2);
    expect(storage.items.size).toBe(0);
  });

  it("a later page takes up what was left, in order, and sends each with its id", async () => {
    const storage = memoryStorage();
    const first = harness(storage);
    first.outbox.push(add(ids[0]));
    first.outbox.push(add(ids[1]));
    // The tab is closed; the board is opened again.
    const second = harness(storage);
    expect(second.outbox.restore()).toEqual([add(ids[0]), add(ids[1])]);
    second.outbox.online(true);
    await second.last().answer(done(1));
    await second.last().answer(done(2));
    expect(second.names()).toEqual([ids[0], ids[1]]);
    expect(stored(storage)).toEqual([]);
  });

  it("drops, on loading, taps older than TAP_MAX_AGE_MS, and says which", () => {
    const storage = memoryStorage();
    const earlier = harness(storage);
    earlier.outbox.push(add(ids[0]));
    vi.advanceTimersByTime(TAP_MAX_AGE_MS / 2);
    earlier.outbox.push(add(ids[1]));
    vi.setSystemTime(Date.now() + TAP_MAX_AGE_MS / 2);
    const later = harness(storage);
    expect(later.outbox.restore()).toEqual([expect.objectContaining({ id: ids[1] })]);
    expect(later.expired).toEqual([expect.objectContaining({ id: ids[0] })]);
    expect(stored(storage).map((write) => write.id)).toEqual([ids[1]]);
  });

  it("works in memory when the browser refuses storage", async () => {
    const { outbox, last, settled } = harness(blockedStorage);
    outbox.push(add(ids[0]));
    expect(outbox.restore()).toEqual([]);
    outbox.online(true);
    await last().answer(done(1));
    expect(settled).toHaveLength(1);
  });
});

describe("Outbox: retry or drop, by the answer", () => {
  it.each(["rate-limited", "unavailable"] as const)("keeps a write refused %s and sends it again, backing off", async (code) => {
    const { outbox, sent, last } = harness(memoryStorage());
    const tap = add(ids[0]);
    outbox.online(true);
    outbox.push(tap);
    await last().answer({ ok: false, error: "not now", code });
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(FIRST_RETRY_MS);
    expect(sent).toHaveLength(2);
    await last().answer({ ok: false, error: "not now", code });
    await vi.advanceTimersByTimeAsync(FIRST_RETRY_MS);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(FIRST_RETRY_MS);
    expect(sent).toHaveLength(3);
    expect(sent.map(({ write }) => write)).toEqual([tap, tap, tap]);
    expect(outbox.size).toBe(1);
  });

  it("backs off no further than LAST_RETRY_MS, and starts again from FIRST_RETRY_MS after a success", async () => {
    const { outbox, sent, last } = harness(memoryStorage());
    outbox.online(true);
    outbox.push(add(ids[0]));
    for (let i = 0; i < 8; i++) {
      await last().answer("unanswered");
      await vi.advanceTimersByTimeAsync(LAST_RETRY_MS);
    }
    const before = sent.length;
    await last().answer("unanswered");
    await vi.advanceTimersByTimeAsync(LAST_RETRY_MS - 1);
    expect(sent).toHaveLength(before);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(before + 1);
    await last().answer(done(1));
    const next = add(ids[1]);
    outbox.push(next);
    await last().answer("unanswered");
    await vi.advanceTimersByTimeAsync(FIRST_RETRY_MS);
    expect(sent.at(-1)?.write).toEqual(next);
    expect(sent).toHaveLength(before + 3);
  });

  it.each(["invalid", "refused", "conflict", "internal"] as const)("drops a write refused %s, and tells why", async (code) => {
    const { outbox, storage, settled, last } = harness(memoryStorage());
    outbox.online(true);
    outbox.push(add(ids[0]));
    outbox.push(add(ids[1]));
    await last().answer({ ok: false, error: "the host paused drawing", code });
    expect(settled).toEqual([[add(ids[0]), { ok: false, error: "the host paused drawing", code }]]);
    expect(stored(storage).map((write) => write.id)).toEqual([ids[1]]);
    // The next one goes at once.
    expect(last().write).toEqual(add(ids[1]));
  });

  it("sends again at once on reconnecting what the disconnection left unanswered, and ignores a late answer", async () => {
    const { outbox, sent, settled } = harness(memoryStorage());
    outbox.online(true);
    outbox.push(add(ids[0]));
    const lost = sent[0];
    outbox.online(false);
    await lost?.answer(done(1));
    expect(settled).toEqual([]);
    expect(outbox.size).toBe(1);
    outbox.online(true);
    expect(sent.map(({ write }) => write)).toEqual([add(ids[0]), add(ids[0])]);
    await sent[1]?.answer(done(1));
    expect(settled).toHaveLength(1);
  });

  it("sends again at once on reconnecting, without waiting out the back-off", async () => {
    const { outbox, sent, last } = harness(memoryStorage());
    outbox.online(true);
    outbox.push(add(ids[0]));
    for (let i = 0; i < 5; i++) {
      await last().answer({ ok: false, error: "busy", code: "unavailable" });
      await vi.advanceTimersByTimeAsync(LAST_RETRY_MS);
    }
    await last().answer({ ok: false, error: "busy", code: "unavailable" });
    const before = sent.length;
    outbox.online(false);
    outbox.online(true);
    expect(sent).toHaveLength(before + 1);
  });
});

describe("Outbox: how long each write waits", () => {
  it("drops a Clear made offline after CLEAR_MAX_WAIT_MS, unsent", async () => {
    const { outbox, sent, expired } = harness(memoryStorage());
    outbox.push(add(ids[0]));
    outbox.push({ kind: "clear", op: "clear-0001", at: Date.now() });
    await vi.advanceTimersByTimeAsync(CLEAR_MAX_WAIT_MS - 1);
    expect(expired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(expired).toEqual([{ kind: "clear", op: "clear-0001", at: expect.any(Number) }]);
    outbox.online(true);
    expect(sent.map(({ write }) => write.kind)).toEqual(["add"]);
    expect(outbox.size).toBe(1);
  });

  it("sends a Clear made offline if back within CLEAR_MAX_WAIT_MS", async () => {
    const { outbox, sent, expired } = harness(memoryStorage());
    outbox.push({ kind: "clear", op: "clear-0001", at: Date.now() });
    await vi.advanceTimersByTimeAsync(CLEAR_MAX_WAIT_MS - 1000);
    outbox.online(true);
    expect(sent.map(({ write }) => write.kind)).toEqual(["clear"]);
    expect(expired).toEqual([]);
  });

  it("drops an Undo clear once the clear's undo window is over", async () => {
    const { outbox, expired } = harness(memoryStorage());
    outbox.push({ kind: "undo-clear", op: "undo-clear-1", seq: 9, until: Date.now() + 10_000 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(expired.map((write) => write.kind)).toEqual(["undo-clear"]);
    expect(outbox.size).toBe(0);
  });

  it("waits for the answer of a write under way, even past its deadline, and drops it only if it must wait again", async () => {
    const { outbox, last, expired, settled } = harness(memoryStorage());
    outbox.online(true);
    outbox.push({ kind: "clear", op: "clear-0001", at: Date.now() });
    await vi.advanceTimersByTimeAsync(CLEAR_MAX_WAIT_MS + 1000);
    expect(expired).toEqual([]);
    await last().answer({ ok: false, error: "busy", code: "unavailable" });
    await vi.advanceTimersByTimeAsync(0);
    expect(expired.map((write) => write.kind)).toEqual(["clear"]);
    expect(settled).toEqual([]);
  });

  it("keeps taps waiting up to TAP_MAX_AGE_MS with the page open", async () => {
    const { outbox, expired } = harness(memoryStorage());
    outbox.push(add(ids[0]));
    await vi.advanceTimersByTimeAsync(TAP_MAX_AGE_MS - 1);
    expect(outbox.size).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(expired).toEqual([add(ids[0], expect.any(Number))]);
  });

  it("words what was too old", () => {
    const at = Date.now();
    expect(tooOld([add(ids[0], at)])).toBe("1 tap was too old to send");
    expect(tooOld([add(ids[0], at), add(ids[1], at), add(ids[2], at)])).toBe("3 taps were too old to send");
    expect(tooOld([add(ids[0], at), { kind: "undo", op: "undo-0001", id: ids[1], at }])).toBe("1 tap and 1 undo were too old to send");
    expect(tooOld([{ kind: "clear", op: "clear-0001", at }])).toBeNull();
  });
});

describe("Outbox: Undo", () => {
  it("takes a tap not yet sent out of the queue and storage: it is never sent", async () => {
    const { outbox, storage, sent, names } = harness(memoryStorage());
    outbox.push(add(ids[0]));
    outbox.push(add(ids[1]));
    expect(outbox.undo(() => false)).toEqual({ kind: "withdrawn", id: ids[1] });
    expect(stored(storage).map((write) => write.id)).toEqual([ids[0]]);
    outbox.online(true);
    await sent.at(-1)?.answer(done(1));
    expect(names()).toEqual([ids[0]]);
    expect(outbox.size).toBe(0);
  });

  it("takes out a tap refused for later, since the server did not take it", async () => {
    const { outbox, last, sent } = harness(memoryStorage());
    outbox.online(true);
    outbox.push(add(ids[0]));
    await last().answer({ ok: false, error: "slow down", code: "rate-limited" });
    expect(outbox.undo(() => false)).toEqual({ kind: "withdrawn", id: ids[0] });
    await vi.advanceTimersByTimeAsync(LAST_RETRY_MS);
    expect(sent).toHaveLength(1);
  });

  it("undoes a tap under way once it is answered: an undo naming it goes after it", async () => {
    const { outbox, last, sent, storage } = harness(memoryStorage());
    outbox.online(true);
    outbox.push(add(ids[0]));
    const result = outbox.undo(() => false);
    expect(result).toEqual({ kind: "queued", id: ids[0] });
    expect(stored(storage).map((write) => write.kind)).toEqual(["add", "undo"]);
    await last().answer(done(1));
    expect(last().write).toEqual({ kind: "undo", op: expect.any(String), id: ids[0], at: expect.any(Number) });
    expect(sent).toHaveLength(2);
  });

  it("undoes a tap whose answer a disconnection lost the same way: it may have been done", async () => {
    const { outbox } = harness(memoryStorage());
    outbox.online(true);
    outbox.push(add(ids[0]));
    outbox.online(false);
    expect(outbox.undo(() => false)).toEqual({ kind: "queued", id: ids[0] });
  });

  it("names this page's newest circle still on the board, then the one before", async () => {
    const { outbox, last } = harness(memoryStorage());
    outbox.online(true);
    outbox.push(add(ids[0]));
    await last().answer(done(1));
    outbox.push(add(ids[1]));
    await last().answer(done(2));
    outbox.push(add(ids[2]));
    await last().answer(done(3));
    const onBoard = (id: string) => id !== ids[2]; // someone else's clear, say, took the newest
    outbox.online(false);
    expect(outbox.undo(onBoard)).toEqual({ kind: "queued", id: ids[1] });
    expect(outbox.undo(onBoard)).toEqual({ kind: "queued", id: ids[0] });
    expect(outbox.undo(onBoard)).toEqual({ kind: "none" });
  });

  it("does not name a circle again once its undo was answered", async () => {
    const { outbox, last } = harness(memoryStorage());
    outbox.online(true);
    outbox.push(add(ids[0]));
    await last().answer(done(1));
    expect(outbox.undo(() => true)).toEqual({ kind: "queued", id: ids[0] });
    await last().answer({ ok: false, error: "that circle is not yours", code: "refused" });
    expect(outbox.undo(() => true)).toEqual({ kind: "none" });
  });

  it("drops the undo waiting behind a tap the server refuses", async () => {
    const { outbox, last, settled, storage } = harness(memoryStorage());
    outbox.online(true);
    outbox.push(add(ids[0]));
    outbox.undo(() => false);
    await last().answer({ ok: false, error: "the host paused drawing", code: "refused" });
    expect(outbox.size).toBe(0);
    expect(settled.map(([write]) => write.kind)).toEqual(["add"]);
    expect(stored(storage)).toEqual([]);
  });

  it("does not draw again a tap taken up from storage with its undo", () => {
    const storage = memoryStorage();
    const earlier = harness(storage).outbox;
    earlier.online(true);
    earlier.push(add(ids[0]));
    earlier.undo(() => false);
    earlier.push(add(ids[1]));
    expect(stored(storage).map((write) => write.kind)).toEqual(["add", "undo", "add"]);
    expect(
      harness(storage)
        .outbox.restore()
        .map((write) => write.id),
    ).toEqual([ids[1]]);
  });

  it("undoes a tap taken up from storage after it is sent again: the closed tab may have sent it", async () => {
    const storage = memoryStorage();
    harness(storage).outbox.push(add(ids[0]));
    const { outbox } = harness(storage);
    outbox.restore();
    expect(outbox.undo(() => false)).toEqual({ kind: "queued", id: ids[0] });
  });
});

describe("Outbox: the end of the page on the board", () => {
  it("stops sending and forgets what waits, in storage too", async () => {
    const { outbox, sent, storage } = harness(memoryStorage());
    outbox.push(add(ids[0]));
    outbox.stop();
    outbox.online(true);
    outbox.push(add(ids[1]));
    expect(sent).toEqual([]);
    expect(storage.items.size).toBe(0);
  });
});
