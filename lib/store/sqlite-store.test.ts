import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type * as WorkerThreads from "node:worker_threads";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  describeBoardStoreContract,
  describeGroupCommitContract,
  expectProcessExitsWithStores,
  makeBoard,
  makeCircle,
  storedBoard,
} from "../../test/store-contract.js";
import { describeRoomStoreContract } from "../../test/room-store-contract.js";
import { describeUndoStoreContract } from "../../test/undo-store-contract.js";
import { describeOnceStoreContract, expectIdsTakenPerBoard } from "../../test/once-store-contract.js";
import type { StoredCircle } from "../protocol/events.js";
import { SqliteStore } from "./sqlite-store.js";

/** Every worker thread the stores of this file start, so that a test can kill one. */
const workers = vi.hoisted(() => [] as WorkerThreads.Worker[]);
vi.mock("node:worker_threads", async (importOriginal) => {
  const original = await importOriginal<typeof WorkerThreads>();
  class RecordedWorker extends original.Worker {
    constructor(...args: ConstructorParameters<typeof original.Worker>) {
      super(...args);
      workers.push(this);
    }
  }
  return { ...original, Worker: RecordedWorker };
});

const tempDir = () => fs.mkdtemp(path.join(os.tmpdir(), "circles-sqlite-"));

describeBoardStoreContract("SqliteStore", async () => {
  const dataDir = await tempDir();
  return {
    store: await SqliteStore.open({ dataDir }),
    cleanup: () => fs.rm(dataDir, { recursive: true, force: true }),
  };
});

/** A store in a directory of its own, which it can be closed and opened again on. */
async function reopenable() {
  const dataDir = await tempDir();
  let store = await SqliteStore.open({ dataDir });
  return {
    store,
    async reopen() {
      await store.close();
      store = await SqliteStore.open({ dataDir });
      return store;
    },
    cleanup: () => fs.rm(dataDir, { recursive: true, force: true }),
  };
}

describeUndoStoreContract("SqliteStore", reopenable);
describeRoomStoreContract("SqliteStore", reopenable);
describeOnceStoreContract("SqliteStore", reopenable);

describeGroupCommitContract(
  "SqliteStore",
  async () => {
    const dataDir = await tempDir();
    return { store: await SqliteStore.open({ dataDir }), cleanup: () => fs.rm(dataDir, { recursive: true, force: true }) };
  },
  /NOT NULL constraint failed/,
);

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

  async function open(dataDir = root): Promise<SqliteStore> {
    const store = await SqliteStore.open({ dataDir });
    opened.push(store);
    return store;
  }

  it("creates a missing nested data directory and circles.db in it", async () => {
    const dataDir = path.join(root, "a", "b", "data");
    const store = await open(dataDir);
    await store.add(makeBoard(), makeCircle(), 10);
    expect(existsSync(path.join(dataDir, "circles.db"))).toBe(true);
  });

  it("puts the database in WAL mode", async () => {
    await (await open()).ping();
    const db = new Database(path.join(root, "circles.db"), { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });

  it("rejects, saying why, when the data directory cannot be made", async () => {
    const file = path.join(root, "a-file");
    await fs.writeFile(file, "");
    await expect(SqliteStore.open({ dataDir: path.join(file, "data") })).rejects.toThrow(
      /^cannot create the data directory .*a-file\/data: .*ENOTDIR/,
    );
  });

  it("rejects, saying why, when circles.db is not a database, and stops its worker", async () => {
    await fs.writeFile(path.join(root, "circles.db"), "x".repeat(4096));
    const before = workers.length;
    await expect(SqliteStore.open({ dataDir: root })).rejects.toThrow(/^cannot open the database .*circles\.db: file is not a database/);
    expect(workers.length).toBe(before + 1);
    expect(workers.at(-1)?.threadId).toBe(-1); // terminated
  });

  it("keeps circles, their order, the cap's count and the seq across close and reopen", async () => {
    const board = makeBoard();
    const circles = [makeCircle(), makeCircle(), makeCircle()];
    const first = await open();
    for (const circle of circles) await first.add(board, circle, 3);
    await first.close();

    const second = await open();
    expect(await second.load(board)).toStrictEqual(storedBoard(3, circles));
    const next = makeCircle();
    expect(await second.add(board, next, 3)).toStrictEqual([
      { seq: 4, type: "add", circle: next },
      { seq: 5, type: "remove", id: circles[0]?.id },
    ]);
  });

  it("keeps a cleared board's seq across close and reopen", async () => {
    const board = makeBoard();
    const first = await open();
    await first.add(board, makeCircle(), 10);
    await first.clear(board);
    await first.close();

    const second = await open();
    expect(await second.load(board)).toStrictEqual(storedBoard(2, []));
    expect(await second.clear(board)).toStrictEqual({ seq: 3, type: "clear" });
  });

  it("commits the writes still pending at close", async () => {
    const board = makeBoard();
    const circles = Array.from({ length: 10 }, () => makeCircle());
    const first = await open();
    const adds = circles.map((circle) => first.add(board, circle, 100));
    await first.close();
    await Promise.all(adds);
    expect(await (await open()).load(board)).toStrictEqual(storedBoard(10, circles));
  });

  it("migrates a database made by the schema before seqs, keeping its circles", async () => {
    // The schema as it was before seqs (git show d8d326a:lib/store/sqlite-store.ts), at user_version 0.
    const old = new Database(path.join(root, "circles.db"));
    old.pragma("journal_mode = WAL");
    old.exec(`
      CREATE TABLE IF NOT EXISTS circles (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        board TEXT NOT NULL,
        id TEXT NOT NULL UNIQUE,
        initials TEXT NOT NULL,
        x REAL NOT NULL,
        y REAL NOT NULL,
        dia REAL NOT NULL,
        rgba TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS circles_board_seq ON circles (board, seq);
      CREATE TABLE IF NOT EXISTS boards (
        board TEXT PRIMARY KEY,
        circle_count INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
    const board = makeBoard();
    const circles = [makeCircle(), makeCircle()];
    const insert = old.prepare("INSERT INTO circles (board, id, initials, x, y, dia, rgba, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    for (const c of circles) insert.run(board, c.id, c.initials, c.x, c.y, c.dia, c.rgba, c.createdAt);
    old.prepare("INSERT INTO boards (board, circle_count) VALUES (?, ?)").run(board, circles.length);
    old.close();

    const store = await open();
    // Each circle stored before seqs counts as one change.
    expect(await store.load(board)).toStrictEqual(storedBoard(2, circles));
    const next = makeCircle();
    expect(await store.add(board, next, 2)).toStrictEqual([
      { seq: 3, type: "add", circle: next },
      { seq: 4, type: "remove", id: circles[0]?.id },
    ]);
    expect(await store.clear(board)).toStrictEqual({ seq: 5, type: "clear" });
    await store.close();

    const db = new Database(path.join(root, "circles.db"), { readonly: true });
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(5);
      expect(db.prepare("SELECT board, circle_count, seq FROM boards").all()).toStrictEqual([{ board, circle_count: 0, seq: 5 }]);
    } finally {
      db.close();
    }
    // Opening the migrated file again changes nothing.
    expect(await (await open()).load(board)).toStrictEqual(storedBoard(5, []));
  });

  it("migrates a database of schema version 2: its circles keep no owner, so none can be undone, it has no host, the default rules, no removed players, and counts as used at the migration", async () => {
    // Version 2 as it shipped (sqlite-database.ts, the first two migrations).
    const old = new Database(path.join(root, "circles.db"));
    old.exec(`
      CREATE TABLE circles (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, board TEXT NOT NULL, id TEXT NOT NULL UNIQUE, initials TEXT NOT NULL,
        x REAL NOT NULL, y REAL NOT NULL, dia REAL NOT NULL, rgba TEXT NOT NULL, created_at INTEGER NOT NULL
      );
      CREATE INDEX circles_board_seq ON circles (board, seq);
      CREATE TABLE boards (board TEXT PRIMARY KEY, circle_count INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
    `);
    old.pragma("user_version = 2");
    const board = makeBoard();
    const circle = makeCircle();
    old
      .prepare("INSERT INTO circles (board, id, initials, x, y, dia, rgba, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .run(board, circle.id, circle.initials, circle.x, circle.y, circle.dia, circle.rgba, circle.createdAt);
    old.prepare("INSERT INTO boards (board, circle_count, seq) VALUES (?, 1, 1)").run(board);
    old.close();

    const beforeMigration = Date.now();
    const store = await open();
    const loaded = await store.load(board);
    expect(loaded).toStrictEqual(storedBoard(1, [circle]));
    expect([loaded.rules, loaded.removed]).toStrictEqual([{ draw: "everyone", chat: "everyone" }, []]);
    expect(await store.sweep(beforeMigration)).toStrictEqual([]);
    expect(await store.removeOwned(board, circle.id, "anyone")).toBeUndefined();
    expect(await store.claim(board, "host-a")).toBe(false);
    const { seq } = await store.clear(board, { at: 1 });
    expect(await store.restoreCleared(board, { seq, since: 0, maxCircles: 10 })).toStrictEqual({
      ok: true,
      events: [{ seq: 3, type: "add", circle }],
    });
  });

  it("migrates a database of schema version 4: its circles and cleared circles name their ids on their boards, which other boards may use, wherever they go, and keep their seqs", async () => {
    // Version 4 as it shipped (sqlite-database.ts, the first four migrations).
    const old = new Database(path.join(root, "circles.db"));
    old.exec(`
      CREATE TABLE circles (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, board TEXT NOT NULL, id TEXT NOT NULL UNIQUE, initials TEXT NOT NULL,
        x REAL NOT NULL, y REAL NOT NULL, dia REAL NOT NULL, rgba TEXT NOT NULL, created_at INTEGER NOT NULL, owner TEXT
      );
      CREATE INDEX circles_board_seq ON circles (board, seq);
      CREATE TABLE boards (
        board TEXT PRIMARY KEY, circle_count INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0, host TEXT,
        locked INTEGER NOT NULL DEFAULT 0, cleared_seq INTEGER, cleared_at INTEGER, draw_rule TEXT NOT NULL DEFAULT 'everyone',
        chat_rule TEXT NOT NULL DEFAULT 'everyone', last_used INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE INDEX boards_last_used ON boards (last_used);
      CREATE TABLE cleared_circles (
        board TEXT NOT NULL, position INTEGER NOT NULL, id TEXT NOT NULL, initials TEXT NOT NULL, x REAL NOT NULL, y REAL NOT NULL,
        dia REAL NOT NULL, rgba TEXT NOT NULL, created_at INTEGER NOT NULL, owner TEXT, PRIMARY KEY (board, position)
      ) WITHOUT ROWID;
      CREATE TABLE removed_players (
        board TEXT NOT NULL, owner TEXT NOT NULL, id TEXT NOT NULL, initials TEXT NOT NULL, position INTEGER NOT NULL,
        PRIMARY KEY (board, owner)
      ) WITHOUT ROWID;
    `);
    old.pragma("user_version = 4");
    const [a, b] = [makeBoard(), makeBoard()];
    const cleared: StoredCircle[] = [{ ...makeCircle(), owner: "owner-a" }, makeCircle()];
    const [onA, onB, gone] = [makeCircle(), { ...makeCircle(), owner: "owner-b" }, makeCircle()];
    const insert = old.prepare(
      "INSERT INTO circles (seq, board, id, initials, x, y, dia, rgba, created_at, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const insertCircle = (seq: number, board: string, c: StoredCircle) =>
      insert.run(seq, board, c.id, c.initials, c.x, c.y, c.dia, c.rgba, c.createdAt, c.owner ?? null);
    const keep = old.prepare(
      "INSERT INTO cleared_circles (board, position, id, initials, x, y, dia, rgba, created_at, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    cleared.forEach((c, i) => keep.run(a, i + 1, c.id, c.initials, c.x, c.y, c.dia, c.rgba, c.createdAt, c.owner ?? null));
    insertCircle(3, a, onA);
    insertCircle(4, b, onB);
    // The last circle stored is gone: its seq must not be given again.
    insertCircle(5, b, gone);
    old.prepare("DELETE FROM circles WHERE seq = 5").run();
    old.prepare("INSERT INTO boards (board, circle_count, seq, cleared_seq, cleared_at) VALUES (?, 1, 4, 3, 1)").run(a);
    old.prepare("INSERT INTO boards (board, circle_count, seq) VALUES (?, 1, 2)").run(b);
    old.close();

    const store = await open();
    const reused = await expectIdsTakenPerBoard(store, { a, b, onA, onB, cleared });
    await store.close();

    const db = new Database(path.join(root, "circles.db"), { readonly: true });
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(5);
      // Rows keep their seqs, and new ones come after every seq given before;
      // the rows from before name no add (no add_seq, no fingerprint), the new one its own.
      expect(db.prepare("SELECT seq, id, add_seq AS addSeq, fingerprint FROM circles ORDER BY seq").all()).toStrictEqual([
        { seq: 3, id: onA.id, addSeq: null, fingerprint: null },
        { seq: 4, id: onB.id, addSeq: null, fingerprint: null },
        { seq: 6, id: reused.id, addSeq: 3, fingerprint: "" },
        { seq: 8, id: cleared[1]?.id, addSeq: null, fingerprint: null },
      ]);
      expect(db.prepare("SELECT board, id, fingerprint, value, keep_until AS keepUntil FROM write_names").all()).toStrictEqual([
        { board: a, id: cleared[0]?.id, fingerprint: null, value: null, keepUntil: null },
      ]);
    } finally {
      db.close();
    }
  });

  it("refuses a database from a newer release", async () => {
    const newer = new Database(path.join(root, "circles.db"));
    newer.pragma("user_version = 99");
    newer.close();
    await expect(SqliteStore.open({ dataDir: root })).rejects.toThrow(/schema version 99 is newer/);
  });

  it("rejects pending and later calls, and pings, once its worker dies", async () => {
    const store = await open();
    const board = makeBoard();
    await store.add(board, makeCircle(), 10);
    const worker = workers.at(-1);
    const pending = [store.add(board, makeCircle(), 10), store.load(board), store.clear(board)];
    await worker?.terminate();
    const died = /SQLite worker thread stopped unexpectedly/;
    for (const call of pending) await expect(call).rejects.toThrow(died);
    await expect(store.add(board, makeCircle(), 10)).rejects.toThrow(died);
    await expect(store.ping()).rejects.toThrow(died);
    await expect(store.close()).resolves.toBeUndefined();
  });

  it("lets the process exit once closed, and while idle even if never closed", async () => {
    await expectProcessExitsWithStores(
      `import { SqliteStore } from ${JSON.stringify(path.resolve("lib/store/sqlite-store.ts"))};`,
      (name) => `SqliteStore.open({ dataDir: ${JSON.stringify(path.join(root, name))} })`,
    );
  });
});
