import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Circle } from "../events.js";
import { checkMaxCircles, type BoardStore } from "./board-store.js";

export interface SqliteStoreOptions {
  /** Directory of `circles.db`; created, with its parents, if missing. */
  dataDir: string;
}

/** How writes were grouped into transactions, for tests and the benchmark. */
export interface SqliteStoreStats {
  /** Transactions committed, each holding one or more writes. */
  transactions: number;
  /** Writes (`add`, `clear`) committed. */
  writes: number;
  /** Transactions rolled back; each rejected every write it held. */
  failedTransactions: number;
}

/** A queued write: `apply` runs inside the batch's transaction and returns
 * what settles the caller's promise, called only once the batch committed. */
interface PendingWrite {
  apply(): () => void;
  fail(reason: Error): void;
}

const SCHEMA = `
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
  -- Kept in step with circles by the same transactions, so that checking the
  -- cap costs one primary-key lookup instead of counting the board's rows.
  CREATE TABLE IF NOT EXISTS boards (
    board TEXT PRIMARY KEY,
    circle_count INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

function prepareStatements(db: Database.Database) {
  return {
    load: db.prepare<[string], Circle>(
      `SELECT id, initials, x, y, dia, rgba, created_at AS createdAt
       FROM circles WHERE board = ? ORDER BY seq`,
    ),
    insert: db.prepare<[string, string, string, number, number, number, string, number]>(
      `INSERT INTO circles (board, id, initials, x, y, dia, rgba, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    countUp: db
      .prepare<[string], number>(
        `INSERT INTO boards (board, circle_count) VALUES (?, 1)
         ON CONFLICT (board) DO UPDATE SET circle_count = circle_count + 1
         RETURNING circle_count`,
      )
      .pluck(),
    oldest: db.prepare<[string, number], { seq: number; id: string }>(
      "SELECT seq, id FROM circles WHERE board = ? ORDER BY seq LIMIT ?",
    ),
    deleteUpTo: db.prepare<[string, number]>("DELETE FROM circles WHERE board = ? AND seq <= ?"),
    setCount: db.prepare<[number, string]>("UPDATE boards SET circle_count = ? WHERE board = ?"),
    clearCircles: db.prepare<[string]>("DELETE FROM circles WHERE board = ?"),
    clearBoard: db.prepare<[string]>("DELETE FROM boards WHERE board = ?"),
    ping: db.prepare<[]>("SELECT 1"),
  };
}

/**
 * Boards in an embedded SQLite database, `<dataDir>/circles.db`.
 *
 * Group commit: `add` and `clear` only queue their write; one `setImmediate`
 * later, every write queued meanwhile runs in a single transaction, and only
 * after its commit (one fsync) do their promises resolve, in call order. So
 * a resolved promise still means durable, but 200 concurrent writes cost one
 * fsync instead of 200.
 */
export class SqliteStore implements BoardStore {
  readonly #db: Database.Database;
  readonly #statements: ReturnType<typeof prepareStatements>;
  readonly #runBatch: Database.Transaction<(batch: PendingWrite[]) => (() => void)[]>;
  readonly #stats: SqliteStoreStats = { transactions: 0, writes: 0, failedTransactions: 0 };
  #queue: PendingWrite[] = [];
  #flushTimer: NodeJS.Immediate | undefined;
  #closed = false;

  static open({ dataDir }: SqliteStoreOptions): SqliteStore {
    fs.mkdirSync(dataDir, { recursive: true });
    const db = new Database(path.join(dataDir, "circles.db"));
    try {
      // WAL with FULL syncs the log on every commit: a committed transaction
      // survives kill -9 and power loss (NORMAL would only survive the former).
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.exec(SCHEMA);
      return new SqliteStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#statements = prepareStatements(db);
    this.#runBatch = db.transaction((batch: PendingWrite[]) => batch.map((write) => write.apply()));
  }

  /** A snapshot of the counters; they only ever grow. */
  get stats(): Readonly<SqliteStoreStats> {
    return { ...this.#stats };
  }

  async load(board: string): Promise<Circle[]> {
    this.#assertOpen();
    // Commit the queued writes first, so a load sees every write called
    // before it. Simpler than queueing reads behind writes, and a failing
    // batch then rejects only its writes, never an innocent load.
    this.#flush();
    return this.#statements.load.all(board);
  }

  // `add` and `clear` are not async: they return the queue's own promise, so
  // it settles with its batch (before `close` resolves), not ticks later.
  add(board: string, circle: Circle, maxCircles: number): Promise<string[]> {
    // Checked now: inside the batch it would fail every write queued with it.
    const badCap = checkMaxCircles(maxCircles);
    if (badCap) return Promise.reject(badCap);
    return this.#enqueue(() => this.#insert(board, circle, maxCircles));
  }

  clear(board: string): Promise<void> {
    return this.#enqueue(() => {
      this.#statements.clearCircles.run(board);
      this.#statements.clearBoard.run(board);
    });
  }

  async ping(): Promise<void> {
    this.#assertOpen();
    this.#statements.ping.get();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#flush();
    this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("store is closed");
  }

  #enqueue<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#assertOpen(); // a throw here rejects the promise
      this.#queue.push({
        apply: () => {
          const result = write();
          return () => resolve(result);
        },
        fail: reject,
      });
      this.#flushTimer ??= setImmediate(() => this.#flush());
    });
  }

  /** Runs every queued write in one transaction, then settles them in order. */
  #flush(): void {
    if (this.#flushTimer !== undefined) clearImmediate(this.#flushTimer);
    this.#flushTimer = undefined;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    let settlers: (() => void)[];
    try {
      settlers = this.#runBatch(batch);
    } catch (error) {
      // Rolled back as a whole, so nothing of the batch may be acknowledged.
      this.#stats.failedTransactions++;
      const reason = error instanceof Error ? error : new Error(String(error));
      for (const write of batch) write.fail(reason);
      return;
    }
    this.#stats.transactions++;
    this.#stats.writes += batch.length;
    for (const settle of settlers) settle();
  }

  /** Inserts, then drops the board's oldest circles beyond the cap; returns their ids, oldest first. */
  #insert(board: string, circle: Circle, maxCircles: number): string[] {
    const s = this.#statements;
    s.insert.run(board, circle.id, circle.initials, circle.x, circle.y, circle.dia, circle.rgba, circle.createdAt);
    const count = s.countUp.get(board);
    if (count === undefined) throw new Error(`no circle count for board ${board}`);
    if (count <= maxCircles) return [];
    const dropped = s.oldest.all(board, count - maxCircles);
    const newestDropped = dropped.at(-1);
    if (newestDropped !== undefined) s.deleteUpTo.run(board, newestDropped.seq);
    s.setCount.run(count - dropped.length, board);
    return dropped.map((row) => row.id);
  }
}
