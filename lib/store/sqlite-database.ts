/**
 * The SQLite side of SqliteStore: schema, migrations and the batch that runs
 * a group of requests in one transaction. Synchronous (better-sqlite3), so it
 * runs in the store's worker thread (`sqlite-worker.ts`), never on the main one.
 */
import Database from "better-sqlite3";
import type { BoardEvent, Circle } from "../events.js";
import { checkMaxCircles, type StoredBoard } from "./board-store.js";

/** One call of the store, as the main thread hands it to the worker. */
export type StoreRequest =
  | { op: "load"; board: string }
  | { op: "add"; board: string; circle: Circle; maxCircles: number }
  | { op: "clear"; board: string }
  | { op: "ping" };

/** What settles one request's promise: its value, or why it failed. */
export type StoreOutcome = { ok: true; value: StoredBoard | BoardEvent[] | BoardEvent | undefined } | { ok: false; error: Error };

/** How writes were grouped into transactions, for tests and the benchmark. */
export interface SqliteStoreStats {
  /** Transactions committed, each holding one or more writes. */
  transactions: number;
  /** Writes (`add`, `clear`) committed. */
  writes: number;
  /** Transactions rolled back; each rejected every write it held. */
  failedTransactions: number;
}

/**
 * Each entry moves the schema one version up; `PRAGMA user_version` counts
 * the entries a database has had. Append only: never edit one that shipped.
 */
const MIGRATIONS = [
  // 1. The first schema. IF NOT EXISTS: databases made before versions were
  // kept already have it, at user_version 0.
  `CREATE TABLE IF NOT EXISTS circles (
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
   ) WITHOUT ROWID;`,
  // 2. The board's seq: its last change (circles.seq only orders rows, across
  // all boards). The row now outlives a clear, so seqs are never reused.
  // Circles stored before seqs existed count as one change each, so that a
  // board with circles never reports seq 0, "never changed".
  `ALTER TABLE boards ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
   UPDATE boards SET seq = circle_count;`,
];

function migrate(db: Database.Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(`its schema version ${version} is newer than this release knows (${MIGRATIONS.length})`);
  }
  if (version === MIGRATIONS.length) return;
  db.transaction(() => {
    for (const sql of MIGRATIONS.slice(version)) db.exec(sql);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
}

function prepareStatements(db: Database.Database) {
  return {
    circles: db.prepare<[string], Circle>(
      `SELECT id, initials, x, y, dia, rgba, created_at AS createdAt
       FROM circles WHERE board = ? ORDER BY seq`,
    ),
    seq: db.prepare<[string], number>("SELECT seq FROM boards WHERE board = ?").pluck(),
    insertCircle: db.prepare<[string, string, string, number, number, number, string, number]>(
      `INSERT INTO circles (board, id, initials, x, y, dia, rgba, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    countUp: db.prepare<[string], { count: number; seq: number }>(
      `INSERT INTO boards (board, circle_count, seq) VALUES (?, 1, 1)
       ON CONFLICT (board) DO UPDATE SET circle_count = circle_count + 1, seq = seq + 1
       RETURNING circle_count AS count, seq`,
    ),
    oldest: db.prepare<[string, number], { seq: number; id: string }>(
      "SELECT seq, id FROM circles WHERE board = ? ORDER BY seq LIMIT ?",
    ),
    deleteUpTo: db.prepare<[string, number]>("DELETE FROM circles WHERE board = ? AND seq <= ?"),
    // Each dropped circle is one change: it takes one seq and leaves the count.
    dropped: db.prepare<[number, number, string]>(
      "UPDATE boards SET circle_count = circle_count - ?, seq = seq + ? WHERE board = ?",
    ),
    clearCircles: db.prepare<[string]>("DELETE FROM circles WHERE board = ?"),
    // Keeps the row, and so the seq, of a cleared board.
    clearBoard: db
      .prepare<[string], number>(
        `INSERT INTO boards (board, circle_count, seq) VALUES (?, 0, 1)
         ON CONFLICT (board) DO UPDATE SET circle_count = 0, seq = seq + 1
         RETURNING seq`,
      )
      .pluck(),
    ping: db.prepare<[]>("SELECT 1"),
  };
}

const toError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/** The boards database, `circles.db`, open in WAL mode with synchronous commits. */
export class BoardDatabase {
  readonly #db: Database.Database;
  readonly #s: ReturnType<typeof prepareStatements>;
  readonly #transaction: Database.Transaction<(batch: StoreRequest[]) => StoreOutcome[]>;
  readonly #stats: SqliteStoreStats = { transactions: 0, writes: 0, failedTransactions: 0 };

  static open(file: string): BoardDatabase {
    const db = new Database(file);
    try {
      // WAL with FULL syncs the log on every commit: a committed transaction
      // survives kill -9 and power loss (NORMAL would only survive the former).
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      migrate(db);
      return new BoardDatabase(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#s = prepareStatements(db);
    this.#transaction = db.transaction((batch: StoreRequest[]) => batch.map((request) => this.#apply(request)));
  }

  /** Totals since open; they only ever grow. */
  get stats(): SqliteStoreStats {
    return { ...this.#stats };
  }

  /**
   * Runs a batch of requests in one transaction (one fsync for all its
   * writes), each seeing the ones before it, and returns their outcomes in
   * order. If the transaction fails, it is rolled back as a whole, so every
   * write of it fails; its reads are then answered from what is committed,
   * which is what they would have seen had those writes never been called.
   */
  run(batch: StoreRequest[]): StoreOutcome[] {
    const writes = batch.filter((request) => this.#isWrite(request)).length;
    try {
      const outcomes = this.#transaction(batch);
      if (writes > 0) {
        this.#stats.transactions++;
        this.#stats.writes += writes;
      }
      return outcomes;
    } catch (cause) {
      this.#stats.failedTransactions++;
      const error = toError(cause);
      return batch.map((request) => (this.#isWrite(request) ? { ok: false, error } : this.#apply(request)));
    }
  }

  close(): void {
    this.#db.close();
  }

  /** A write that reaches the database: adds with a bad cap are refused before. */
  #isWrite(request: StoreRequest): boolean {
    return request.op === "clear" || (request.op === "add" && checkMaxCircles(request.maxCircles) === undefined);
  }

  /** Writes throw, to roll back their batch; anything else fails alone, in its outcome. */
  #apply(request: StoreRequest): StoreOutcome {
    switch (request.op) {
      case "add": {
        const badCap = checkMaxCircles(request.maxCircles);
        if (badCap) return { ok: false, error: badCap };
        return { ok: true, value: this.#add(request.board, request.circle, request.maxCircles) };
      }
      case "clear": {
        this.#s.clearCircles.run(request.board);
        const seq = this.#s.clearBoard.get(request.board);
        if (seq === undefined) throw new Error(`no seq for board ${request.board}`);
        return { ok: true, value: { seq, type: "clear" } };
      }
      case "load":
      case "ping":
        try {
          return { ok: true, value: request.op === "load" ? this.#load(request.board) : this.#ping() };
        } catch (error) {
          return { ok: false, error: toError(error) };
        }
    }
  }

  #load(board: string): StoredBoard {
    return { seq: this.#s.seq.get(board) ?? 0, circles: this.#s.circles.all(board) };
  }

  #ping(): undefined {
    this.#s.ping.get();
    return undefined;
  }

  /** Inserts, then drops the board's oldest circles beyond the cap, each change with its seq. */
  #add(board: string, circle: Circle, maxCircles: number): BoardEvent[] {
    const s = this.#s;
    s.insertCircle.run(board, circle.id, circle.initials, circle.x, circle.y, circle.dia, circle.rgba, circle.createdAt);
    const counted = s.countUp.get(board);
    if (counted === undefined) throw new Error(`no circle count for board ${board}`);
    const { count, seq } = counted;
    const events: BoardEvent[] = [{ seq, type: "add", circle }];
    if (count <= maxCircles) return events;
    const dropped = s.oldest.all(board, count - maxCircles);
    const newestDropped = dropped.at(-1);
    if (newestDropped === undefined) return events;
    s.deleteUpTo.run(board, newestDropped.seq);
    s.dropped.run(dropped.length, dropped.length, board);
    dropped.forEach((row, i) => events.push({ seq: seq + 1 + i, type: "remove", id: row.id }));
    return events;
  }
}
