/**
 * The SQLite side of SqliteStore: schema, migrations and the batch that runs
 * a group of requests in one transaction. Synchronous (better-sqlite3), so it
 * runs in the store's worker thread (`sqlite-worker.ts`), never on the main one.
 */
import Database from "better-sqlite3";
import type { StoredCircle, StoredEvent } from "../protocol/events.js";
import { checkMaxCircles, type RestoreOutcome, type RestoreRequest, type StoredBoard } from "./board-store.js";
import { CLEAR_LOCKED, type StoreRequest } from "./request-store.js";

/** What settles one request's promise: its value, or why it failed. */
export type StoreOutcome =
  | { ok: true; value: StoredBoard | StoredEvent[] | StoredEvent | RestoreOutcome | boolean | typeof CLEAR_LOCKED | undefined }
  | { ok: false; error: Error };

/** A circle row as read back; `owner` is NULL for circles from before owners and for REST's. */
type CircleRow = Omit<StoredCircle, "owner"> & { owner: string | null };

/** The circle as callers see it: no `owner` key at all when it has none. */
function fromRow({ owner, ...circle }: CircleRow): StoredCircle {
  return owner === null ? circle : { ...circle, owner };
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
  // 3. Undo and hosts. A circle's owner is a hash of its player's key; older
  // circles have none, and cannot be undone. cleared_circles keeps what each
  // board's last clear removed (position: their circles.seq, so their order),
  // for the clear cleared_seq made at cleared_at. A board's host is a hash of
  // the host's key; locked lets only the host clear.
  `ALTER TABLE circles ADD COLUMN owner TEXT;
   ALTER TABLE boards ADD COLUMN host TEXT;
   ALTER TABLE boards ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE boards ADD COLUMN cleared_seq INTEGER;
   ALTER TABLE boards ADD COLUMN cleared_at INTEGER;
   CREATE TABLE cleared_circles (
     board TEXT NOT NULL,
     position INTEGER NOT NULL,
     id TEXT NOT NULL,
     initials TEXT NOT NULL,
     x REAL NOT NULL,
     y REAL NOT NULL,
     dia REAL NOT NULL,
     rgba TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     owner TEXT,
     PRIMARY KEY (board, position)
   ) WITHOUT ROWID;`,
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
    circles: db.prepare<[string], CircleRow>(
      `SELECT id, initials, x, y, dia, rgba, created_at AS createdAt, owner
       FROM circles WHERE board = ? ORDER BY seq`,
    ),
    board: db.prepare<[string], BoardRow>("SELECT seq, host, locked, cleared_seq AS clearedSeq, cleared_at AS clearedAt FROM boards WHERE board = ?"),
    insertCircle: db.prepare<[string, string, string, number, number, number, string, number, string | null]>(
      `INSERT INTO circles (board, id, initials, x, y, dia, rgba, created_at, owner)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    countUp: db.prepare<[string], { count: number; seq: number }>(
      `INSERT INTO boards (board, circle_count, seq) VALUES (?, 1, 1)
       ON CONFLICT (board) DO UPDATE SET circle_count = circle_count + 1, seq = seq + 1
       RETURNING circle_count AS count, seq`,
    ),
    oldest: db.prepare<[string, number], { seq: number; id: string }>("SELECT seq, id FROM circles WHERE board = ? ORDER BY seq LIMIT ?"),
    deleteUpTo: db.prepare<[string, number]>("DELETE FROM circles WHERE board = ? AND seq <= ?"),
    // Each dropped circle is one change: it takes one seq and leaves the count.
    dropped: db.prepare<[number, number, string]>("UPDATE boards SET circle_count = circle_count - ?, seq = seq + ? WHERE board = ?"),
    forgetCleared: db.prepare<[string]>("DELETE FROM cleared_circles WHERE board = ?"),
    keepCleared: db.prepare<[string]>(
      `INSERT INTO cleared_circles (board, position, id, initials, x, y, dia, rgba, created_at, owner)
       SELECT board, seq, id, initials, x, y, dia, rgba, created_at, owner FROM circles WHERE board = ?`,
    ),
    cleared: db.prepare<[string], CircleRow>(
      `SELECT id, initials, x, y, dia, rgba, created_at AS createdAt, owner
       FROM cleared_circles WHERE board = ? ORDER BY position`,
    ),
    clearCircles: db.prepare<[string]>("DELETE FROM circles WHERE board = ?"),
    // Keeps the row, and so the seq, of a cleared board; the clear's seq and time name what it kept.
    clearBoard: db
      .prepare<[string, number, number], number>(
        `INSERT INTO boards (board, circle_count, seq, cleared_seq, cleared_at) VALUES (?, 0, 1, 1, ?)
         ON CONFLICT (board) DO UPDATE SET circle_count = 0, seq = seq + 1, cleared_seq = seq + 1, cleared_at = ?
         RETURNING seq`,
      )
      .pluck(),
    restored: db.prepare<[string]>("UPDATE boards SET cleared_seq = NULL, cleared_at = NULL WHERE board = ?"),
    removeOwned: db.prepare<[string, string, string], string>("DELETE FROM circles WHERE board = ? AND id = ? AND owner = ? RETURNING id").pluck(),
    countDown: db.prepare<[string], number>("UPDATE boards SET circle_count = circle_count - 1, seq = seq + 1 WHERE board = ? RETURNING seq").pluck(),
    // A board that never changed has no row, or one with seq 0 (a claim refused, or never made).
    claim: db
      .prepare<[string, string, string], number>(
        `INSERT INTO boards (board, circle_count, seq, host) VALUES (?, 0, 0, ?)
         ON CONFLICT (board) DO UPDATE SET host = ? WHERE seq = 0 AND host IS NULL
         RETURNING 1`,
      )
      .pluck(),
    setLocked: db.prepare<[number, string, string], number>("UPDATE boards SET locked = ? WHERE board = ? AND host = ? RETURNING 1").pluck(),
    ping: db.prepare<[]>("SELECT 1"),
  };
}

const toError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

interface BoardRow {
  seq: number;
  host: string | null;
  locked: number;
  clearedSeq: number | null;
  clearedAt: number | null;
}

/** May `host` clear this board, or undo its clear? */
const mayClear = (row: BoardRow | undefined, host: string | undefined) => !row?.locked || row.host === host;

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

  /** A write that reaches the database: adds and restores with a bad cap are refused before. */
  #isWrite(request: StoreRequest): boolean {
    if (request.op === "load" || request.op === "ping") return false;
    if (request.op === "add") return checkMaxCircles(request.maxCircles) === undefined;
    if (request.op === "restore") return checkMaxCircles(request.request.maxCircles) === undefined;
    return true;
  }

  /** Writes throw, to roll back their batch; anything else fails alone, in its outcome. */
  #apply(request: StoreRequest): StoreOutcome {
    switch (request.op) {
      case "add": {
        const badCap = checkMaxCircles(request.maxCircles);
        if (badCap) return { ok: false, error: badCap };
        return { ok: true, value: this.#add(request.board, [request.circle], request.maxCircles) };
      }
      case "clear":
        return { ok: true, value: this.#clear(request.board, request.at, request.host) };
      case "remove-owned":
        return { ok: true, value: this.#removeOwned(request.board, request.id, request.owner) };
      case "restore": {
        const badCap = checkMaxCircles(request.request.maxCircles);
        if (badCap) return { ok: false, error: badCap };
        return { ok: true, value: this.#restore(request.board, request.request) };
      }
      case "claim":
        return { ok: true, value: this.#s.claim.get(request.board, request.hash, request.hash) !== undefined };
      case "set-locked":
        return { ok: true, value: this.#s.setLocked.get(request.locked ? 1 : 0, request.board, request.hash) !== undefined };
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
    const row = this.#s.board.get(board);
    const stored: StoredBoard = { seq: row?.seq ?? 0, circles: this.#s.circles.all(board).map(fromRow) };
    if (row?.host) stored.host = { hash: row.host, locked: row.locked === 1 };
    return stored;
  }

  /** Keeps what it removes in place of what the last clear kept. */
  #clear(board: string, at: number, host: string | undefined): StoredEvent | typeof CLEAR_LOCKED {
    const s = this.#s;
    if (!mayClear(s.board.get(board), host)) return CLEAR_LOCKED;
    s.forgetCleared.run(board);
    s.keepCleared.run(board);
    s.clearCircles.run(board);
    const seq = s.clearBoard.get(board, at, at);
    if (seq === undefined) throw new Error(`no seq for board ${board}`);
    return { seq, type: "clear" };
  }

  #removeOwned(board: string, id: string, owner: string): StoredEvent | undefined {
    if (this.#s.removeOwned.get(board, id, owner) === undefined) return undefined;
    const seq = this.#s.countDown.get(board);
    if (seq === undefined) throw new Error(`no seq for board ${board}`);
    return { seq, type: "remove", id };
  }

  #restore(board: string, { seq, since, host, maxCircles }: RestoreRequest): RestoreOutcome {
    const s = this.#s;
    const row = s.board.get(board);
    if (!mayClear(row, host)) return { ok: false, reason: "locked" };
    if (row?.clearedSeq !== seq) return { ok: false, reason: "gone" };
    if ((row.clearedAt ?? 0) < since) return { ok: false, reason: "expired" };
    const circles = s.cleared.all(board).map(fromRow);
    s.forgetCleared.run(board);
    s.restored.run(board);
    return { ok: true, events: this.#add(board, circles, maxCircles) };
  }

  #ping(): undefined {
    this.#s.ping.get();
    return undefined;
  }

  /** Inserts each circle, then drops the board's oldest circles beyond the cap, each change with its seq. */
  #add(board: string, circles: readonly StoredCircle[], maxCircles: number): StoredEvent[] {
    const s = this.#s;
    const events: StoredEvent[] = [];
    let counted: { count: number; seq: number } | undefined;
    for (const circle of circles) {
      const { id, initials, x, y, dia, rgba, createdAt, owner } = circle;
      s.insertCircle.run(board, id, initials, x, y, dia, rgba, createdAt, owner ?? null);
      counted = s.countUp.get(board);
      if (counted === undefined) throw new Error(`no circle count for board ${board}`);
      events.push({ seq: counted.seq, type: "add", circle });
    }
    if (counted === undefined || counted.count <= maxCircles) return events;
    const { count, seq } = counted;
    const dropped = s.oldest.all(board, count - maxCircles);
    const newestDropped = dropped.at(-1);
    if (newestDropped === undefined) return events;
    s.deleteUpTo.run(board, newestDropped.seq);
    s.dropped.run(dropped.length, dropped.length, board);
    dropped.forEach((row, i) => events.push({ seq: seq + 1 + i, type: "remove", id: row.id }));
    return events;
  }
}
