import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeBoardStoreContract, makeBoard, makeCircle } from "../../test/store-contract.js";
import { SqliteStore } from "./sqlite-store.js";

const tempDir = () => fs.mkdtemp(path.join(os.tmpdir(), "circles-sqlite-"));

describeBoardStoreContract("SqliteStore", async () => {
  const dataDir = await tempDir();
  return {
    store: SqliteStore.open({ dataDir }),
    cleanup: () => fs.rm(dataDir, { recursive: true, force: true }),
  };
});

describe("SqliteStore", () => {
  let root: string;
  let opened: SqliteStore[];

  beforeEach(async () => {
    root = await tempDir();
    opened = [];
  });

  afterEach(async () => {
    for (const store of opened) await store.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  function open(dataDir = root): SqliteStore {
    const store = SqliteStore.open({ dataDir });
    opened.push(store);
    return store;
  }

  it("creates a missing nested data directory and circles.db in it", async () => {
    const dataDir = path.join(root, "a", "b", "data");
    const store = open(dataDir);
    await store.add(makeBoard(), makeCircle(), 10);
    expect(existsSync(path.join(dataDir, "circles.db"))).toBe(true);
  });

  it("puts the database in WAL mode", async () => {
    await open().ping();
    const db = new Database(path.join(root, "circles.db"), { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });

  it("keeps circles, their order and the cap's count across close and reopen", async () => {
    const board = makeBoard();
    const circles = [makeCircle(), makeCircle(), makeCircle()];
    const first = open();
    for (const circle of circles) await first.add(board, circle, 3);
    await first.close();

    const second = open();
    expect(await second.load(board)).toStrictEqual(circles);
    expect(await second.add(board, makeCircle(), 3)).toStrictEqual([circles[0]?.id]);
  });

  it("commits the writes still pending at close", async () => {
    const board = makeBoard();
    const circles = Array.from({ length: 10 }, () => makeCircle());
    const first = open();
    const adds = circles.map((circle) => first.add(board, circle, 100));
    await first.close();
    await Promise.all(adds);
    expect(await open().load(board)).toStrictEqual(circles);
  });

  it("groups concurrent writes into few transactions (group commit)", async () => {
    const store = open();
    const board = makeBoard();
    for (let i = 0; i < 3; i++) await store.add(board, makeCircle(), 1000);
    expect(store.stats).toStrictEqual({ transactions: 3, writes: 3, failedTransactions: 0 });

    await Promise.all(Array.from({ length: 200 }, () => store.add(board, makeCircle(), 1000)));
    const { transactions, writes } = store.stats;
    expect(writes).toBe(203);
    expect(transactions - 3).toBeLessThanOrEqual(5);
  });

  it("rejects every write of a failing batch, keeps none of it, and keeps working", async () => {
    const store = open();
    const board = makeBoard();
    const first = makeCircle();
    await store.add(board, first, 2);

    const batch = [
      store.add(board, makeCircle(), 2),
      store.add(board, { ...makeCircle(), id: first.id }, 2), // the UNIQUE id refuses it
      store.add(board, makeCircle(), 2),
    ];
    for (const write of batch) await expect(write).rejects.toThrow(/UNIQUE/);
    expect(store.stats.failedTransactions).toBe(1);
    expect(await store.load(board)).toStrictEqual([first]);

    // The rolled-back batch must not have counted towards the cap either.
    const later = makeCircle();
    expect(await store.add(board, later, 2)).toStrictEqual([]);
    expect(await store.add(board, makeCircle(), 2)).toStrictEqual([first.id]);
    expect((await store.load(board))[0]).toStrictEqual(later);
  });
});
