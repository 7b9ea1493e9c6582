/**
 * The SQLite side of SqliteStore: schema, migrations and the batch that runs
 * a group of requests in one transaction. Synchronous (better-sqlite3), so it
 * runs in the store's worker thread (`sqlite-worker.ts`), never on the main one.
 */
import Database from "better-sqlite3";
import type { RemovedPlayer, RoomRules, StoredCircle, StoredEvent } from "../protocol/events.js";
import {
  hasAuthority,
  checkMaxCircles,
  DEFAULT_RULES,
  NOT_HOST,
  tookEffect,
  type Authority,
  type Once,
  type OnceOutcome,
  type RestoreOutcome,
  type RestoreRequest,
  type StoredBoard,
} from "./board-store.js";
import { CLEAR_LOCKED, circleRowName, takenOutcome, type DrawRefusal, type HostRequest, type KnownName, type StoreRequest } from "./request-store.js";

/** What a request's batch answers it with. */
type OutcomeValue =
  | StoredBoard
  | StoredEvent[]
  | StoredEvent
  | RestoreOutcome
  | RoomRules
  | string[]
  | boolean
  | typeof CLEAR_LOCKED
  | DrawRefusal
  | typeof NOT_HOST
  | OnceOutcome
  | undefined;

/** What settles one request's promise: its value, or why it failed. */
export type StoreOutcome = { ok: true; value: OutcomeValue } | { ok: false; error: Error };

/** A circle row as read back; `owner` is NULL for circles from before owners and for REST's. */
type CircleRow = Omit<StoredCircle, "owner"> & { owner: string | null };

/** The circle as callers see it: no `owner` key at all when it has none. */
function fromRow({ owner, ...circle }: CircleRow): StoredCircle {
  return owner === null ? circle : { ...circle, owner };
}

/** A circle row with its name (see migration 5): NAMED_COLUMNS of circles or cleared_circles. */
type NamedRow = CircleRow & { addSeq: number | null; fingerprint: string | null };

const NAMED_COLUMNS = "id, initials, x, y, dia, rgba, created_at AS createdAt, owner, add_seq AS addSeq, fingerprint";

/** A named row's name, and the circle it answers with. */
function nameOfRow({ id, initials, x, y, dia, rgba, createdAt, owner, addSeq, fingerprint }: NamedRow): { circle: StoredCircle; name: KnownName } {
  const circle = fromRow({ id, initials, x, y, dia, rgba, createdAt, owner });
  return { circle, name: circleRowName(circle, fingerprint, addSeq) };
}

/** What `recall` finds: a circle's row, or a name kept in write_names (its circle columns NULL). */
type RecallRow = (NamedRow & { fromCircle: 1 }) | { fromCircle: 0; value: string | null; fingerprint: string | null };

/** A circle going on the board: with its add's fingerprint, and, when a restore puts it back, its add's seq (absent: this add). */
interface Added {
  circle: StoredCircle;
  fingerprint: string | null;
  addSeq?: number | null;
}

/** How writes were grouped into transactions, for tests and the benchmark. */
export interface SqliteStoreStats {
  /** Transactions committed, each holding one or more writes. */
  transactions: number;
  /** Writes committed: every call but `load` and `ping` (an add or a restore refused for its cap never reaches the database). */
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
  // 4. The host's rules, removed players, and each board's last use.
  // draw_rule and chat_rule say who may draw and chat ('everyone' or 'host').
  // removed_players keeps the owners (player key hashes) the host removed out
  // of the board, in the order removed (position). last_used (ms since the
  // epoch) is the board's last write or touch, for sweeping unused boards;
  // the boards already here count as used at the migration, so that an
  // upgrade sweeps nothing at once.
  `ALTER TABLE boards ADD COLUMN draw_rule TEXT NOT NULL DEFAULT 'everyone';
   ALTER TABLE boards ADD COLUMN chat_rule TEXT NOT NULL DEFAULT 'everyone';
   ALTER TABLE boards ADD COLUMN last_used INTEGER NOT NULL DEFAULT 0;
   UPDATE boards SET last_used = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);
   CREATE INDEX boards_last_used ON boards (last_used);
   CREATE TABLE removed_players (
     board TEXT NOT NULL,
     owner TEXT NOT NULL,
     id TEXT NOT NULL,
     initials TEXT NOT NULL,
     position INTEGER NOT NULL,
     PRIMARY KEY (board, owner)
   ) WITHOUT ROWID;`,
  // 5. Named writes (see `Once`). An add's name is its circle's row, while
  // the board or its last clear keeps it: add_seq is the board's seq of the
  // add (circles.seq only orders rows, across boards; a restored circle keeps
  // its add's), fingerprint what the add was. Rows from before have neither,
  // and cannot be filled in: their ids are taken by no write a client may
  // send. cleared_circles gets an index to find an id in. Circle ids are
  // chosen by clients now, so they are unique per board, not across boards:
  // circles is made again with that constraint, keeping its seqs and its
  // AUTOINCREMENT counter. write_names keeps, per board, the names of the
  // other writes that took effect, and of the circles gone for good (undone,
  // removed by the host, or forgotten by a later clear; one the cap drops is
  // forgotten, name and all): what the write was (fingerprint, NULL as
  // above), its answer (JSON) and until when (ms since the epoch; NULL: as
  // long as the board). It has no tie to boards: a deletion keeps its own name.
  `CREATE TABLE circles_by_board (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     board TEXT NOT NULL,
     id TEXT NOT NULL,
     initials TEXT NOT NULL,
     x REAL NOT NULL,
     y REAL NOT NULL,
     dia REAL NOT NULL,
     rgba TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     owner TEXT,
     add_seq INTEGER,
     fingerprint TEXT,
     UNIQUE (board, id)
   );
   INSERT INTO circles_by_board (seq, board, id, initials, x, y, dia, rgba, created_at, owner)
     SELECT seq, board, id, initials, x, y, dia, rgba, created_at, owner FROM circles;
   -- The counter goes with the table, so that no seq is given twice.
   DELETE FROM sqlite_sequence WHERE name = 'circles_by_board';
   UPDATE sqlite_sequence SET name = 'circles_by_board' WHERE name = 'circles';
   DROP TABLE circles;
   ALTER TABLE circles_by_board RENAME TO circles;
   CREATE INDEX circles_board_seq ON circles (board, seq);
   ALTER TABLE cleared_circles ADD COLUMN add_seq INTEGER;
   ALTER TABLE cleared_circles ADD COLUMN fingerprint TEXT;
   CREATE INDEX cleared_circles_board_id ON cleared_circles (board, id);
   CREATE TABLE write_names (
     board TEXT NOT NULL,
     id TEXT NOT NULL,
     fingerprint TEXT,
     value TEXT,
     keep_until INTEGER,
     PRIMARY KEY (board, id)
   );
   CREATE INDEX write_names_keep_until ON write_names (keep_until) WHERE keep_until IS NOT NULL;`,
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
    board: db.prepare<[string], BoardRow>(
      `SELECT seq, host, locked, cleared_seq AS clearedSeq, cleared_at AS clearedAt, draw_rule AS draw, chat_rule AS chat
       FROM boards WHERE board = ?`,
    ),
    removedPlayers: db.prepare<[string], RemovedPlayer>("SELECT id, initials, owner FROM removed_players WHERE board = ? ORDER BY position"),
    // Whether the board's rules let this owner's circle in: one lookup on the add's hot path.
    drawState: db.prepare<[string | null, string], { draw: string; host: string | null; removed: number }>(
      `SELECT b.draw_rule AS draw, b.host, EXISTS (SELECT 1 FROM removed_players r WHERE r.board = b.board AND r.owner = ?) AS removed
       FROM boards b WHERE b.board = ?`,
    ),
    insertCircle: db.prepare<[string, string, string, number, number, number, string, number, string | null, number | null, string | null]>(
      `INSERT INTO circles (board, id, initials, x, y, dia, rgba, created_at, owner, add_seq, fingerprint)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Every change marks its board used (last_used) in the statement that takes its seq or makes it.
    countUp: db.prepare<[string, number], { count: number; seq: number }>(
      `INSERT INTO boards (board, circle_count, seq, last_used) VALUES (?, 1, 1, ?)
       ON CONFLICT (board) DO UPDATE SET circle_count = circle_count + 1, seq = seq + 1, last_used = max(last_used, excluded.last_used)
       RETURNING circle_count AS count, seq`,
    ),
    oldest: db.prepare<[string, number], { seq: number; id: string }>("SELECT seq, id FROM circles WHERE board = ? ORDER BY seq LIMIT ?"),
    deleteUpTo: db.prepare<[string, number]>("DELETE FROM circles WHERE board = ? AND seq <= ?"),
    // Each dropped circle is one change: it takes one seq and leaves the count.
    dropped: db.prepare<[number, number, string]>("UPDATE boards SET circle_count = circle_count - ?, seq = seq + ? WHERE board = ?"),
    deleteCleared: db.prepare<[string]>("DELETE FROM cleared_circles WHERE board = ?"),
    // What a clear forgets, to be named in write_names.
    forgetCleared: db.prepare<[string], NamedRow>(`DELETE FROM cleared_circles WHERE board = ? RETURNING ${NAMED_COLUMNS}`),
    keepCleared: db.prepare<[string]>(
      `INSERT INTO cleared_circles (board, position, id, initials, x, y, dia, rgba, created_at, owner, add_seq, fingerprint)
       SELECT board, seq, id, initials, x, y, dia, rgba, created_at, owner, add_seq, fingerprint FROM circles WHERE board = ?`,
    ),
    cleared: db.prepare<[string], NamedRow>(`SELECT ${NAMED_COLUMNS} FROM cleared_circles WHERE board = ? ORDER BY position`),
    clearCircles: db.prepare<[string]>("DELETE FROM circles WHERE board = ?"),
    // Keeps the row, and so the seq, of a cleared board; the clear's seq and time name what it kept.
    clearBoard: db
      .prepare<[string, number, number], number>(
        `INSERT INTO boards (board, circle_count, seq, cleared_seq, cleared_at, last_used) VALUES (?, 0, 1, 1, ?, ?)
         ON CONFLICT (board) DO UPDATE SET circle_count = 0, seq = seq + 1, cleared_seq = seq + 1, cleared_at = excluded.cleared_at,
           last_used = max(last_used, excluded.last_used)
         RETURNING seq`,
      )
      .pluck(),
    restored: db.prepare<[number, string]>("UPDATE boards SET cleared_seq = NULL, cleared_at = NULL, last_used = max(last_used, ?) WHERE board = ?"),
    removeOwned: db.prepare<[string, string, string], NamedRow>(
      `DELETE FROM circles WHERE board = ? AND id = ? AND owner = ? RETURNING ${NAMED_COLUMNS}`,
    ),
    removeCircle: db.prepare<[string, string], NamedRow>(`DELETE FROM circles WHERE board = ? AND id = ? RETURNING ${NAMED_COLUMNS}`),
    countDown: db
      .prepare<[number, string], number>(
        "UPDATE boards SET circle_count = circle_count - 1, seq = seq + 1, last_used = max(last_used, ?) WHERE board = ? RETURNING seq",
      )
      .pluck(),
    // A board that never changed has no row, or one with seq 0 (a claim refused, or never made).
    claim: db
      .prepare<[string, string, number], number>(
        `INSERT INTO boards (board, circle_count, seq, host, last_used) VALUES (?, 0, 0, ?, ?)
         ON CONFLICT (board) DO UPDATE SET host = excluded.host, last_used = max(last_used, excluded.last_used) WHERE seq = 0 AND host IS NULL
         RETURNING 1`,
      )
      .pluck(),
    setLocked: db
      .prepare<[number, number, string, string], number>(
        "UPDATE boards SET locked = ?, last_used = max(last_used, ?) WHERE board = ? AND host = ? RETURNING 1",
      )
      .pluck(),
    setRules: db.prepare<[string, string, string, number]>(
      `INSERT INTO boards (board, circle_count, seq, draw_rule, chat_rule, last_used) VALUES (?, 0, 0, ?, ?, ?)
       ON CONFLICT (board) DO UPDATE SET draw_rule = excluded.draw_rule, chat_rule = excluded.chat_rule,
         last_used = max(last_used, excluded.last_used)`,
    ),
    // Makes the row of a board that has none (seq 0): a touch, or the admin acting on a board never used.
    markUsed: db.prepare<[string, number]>(
      `INSERT INTO boards (board, circle_count, seq, last_used) VALUES (?, 0, 0, ?)
       ON CONFLICT (board) DO UPDATE SET last_used = max(last_used, excluded.last_used)`,
    ),
    // A later removal of the same owner puts them last again.
    keepOut: db.prepare<[string, string, string, string, string]>(
      `INSERT INTO removed_players (board, owner, id, initials, position)
       VALUES (?, ?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM removed_players WHERE board = ?))
       ON CONFLICT (board, owner) DO UPDATE SET id = excluded.id, initials = excluded.initials, position = excluded.position`,
    ),
    ownedBy: db.prepare<[string, string], NamedRow>(`SELECT ${NAMED_COLUMNS} FROM circles WHERE board = ? AND owner = ? ORDER BY seq`),
    removeOwner: db.prepare<[string, string]>("DELETE FROM circles WHERE board = ? AND owner = ?"),
    forgetOwnerCleared: db.prepare<[string, string], NamedRow>(
      `DELETE FROM cleared_circles WHERE board = ? AND owner = ? RETURNING ${NAMED_COLUMNS}`,
    ),
    readmit: db.prepare<[string, string]>("DELETE FROM removed_players WHERE board = ? AND id = ?"),
    forgetRemoved: db.prepare<[string]>("DELETE FROM removed_players WHERE board = ?"),
    deleteBoard: db.prepare<[string]>("DELETE FROM boards WHERE board = ?"),
    // A name, where it is (see migration 5): a circle's row on the board, or
    // kept by its last clear, else write_names. One statement: an add's check.
    recall: db.prepare<[string, string, string, string, string, string], RecallRow>(
      `SELECT 1 AS fromCircle, NULL AS value, ${NAMED_COLUMNS} FROM circles WHERE board = ? AND id = ?
       UNION ALL SELECT 1, NULL, ${NAMED_COLUMNS} FROM cleared_circles WHERE board = ? AND id = ?
       UNION ALL SELECT 0, value, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, fingerprint FROM write_names WHERE board = ? AND id = ?
       LIMIT 1`,
    ),
    rememberName: db.prepare<[string, string, string | null, string | null, number | null]>(
      "INSERT INTO write_names (board, id, fingerprint, value, keep_until) VALUES (?, ?, ?, ?, ?)",
    ),
    forgetNames: db.prepare<[string]>("DELETE FROM write_names WHERE board = ?"),
    expireNames: db.prepare<[number]>("DELETE FROM write_names WHERE keep_until < ?"),
    sweep: db.prepare<[number], string>("DELETE FROM boards WHERE last_used < ? RETURNING board").pluck(),
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
  draw: RoomRules["draw"];
  chat: RoomRules["chat"];
}

/** May `by` clear this board, or undo its clear? */
const mayClear = (row: BoardRow | undefined, by: Authority) => !row?.locked || hasAuthority(row.host, by);

/** The boards database, `circles.db`, open in WAL mode with synchronous commits. */
export class BoardDatabase {
  readonly #db: Database.Database;
  readonly #s: ReturnType<typeof prepareStatements>;
  readonly #transaction: Database.Transaction<(batch: StoreRequest[], now: number) => StoreOutcome[]>;
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
    this.#transaction = db.transaction((batch: StoreRequest[], now: number) => batch.map((request) => this.#apply(request, now)));
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
   * The batch's changes mark their boards used at one time: now.
   */
  run(batch: StoreRequest[]): StoreOutcome[] {
    const writes = batch.filter((request) => this.#isWrite(request)).length;
    const now = Date.now();
    try {
      const outcomes = this.#transaction(batch, now);
      if (writes > 0) {
        this.#stats.transactions++;
        this.#stats.writes += writes;
      }
      return outcomes;
    } catch (cause) {
      this.#stats.failedTransactions++;
      const error = toError(cause);
      return batch.map((request) => (this.#isWrite(request) ? { ok: false, error } : this.#apply(request, now)));
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

  /** Writes throw, to roll back their batch; anything else fails alone, in its outcome. `now` marks the boards changed as used. */
  #apply(request: StoreRequest, now: number): StoreOutcome {
    const s = this.#s;
    switch (request.op) {
      case "add": {
        const { board, circle, maxCircles, by, fingerprint } = request;
        const badCap = checkMaxCircles(maxCircles);
        if (badCap) return { ok: false, error: badCap };
        const once = fingerprint === undefined ? undefined : { id: circle.id, fingerprint };
        const added = { circle, fingerprint: fingerprint ?? null };
        return this.#named(board, once, () => this.#drawRefusal(board, circle, by) ?? this.#add(board, [added], maxCircles, now), false);
      }
      case "clear":
        return this.#named(request.board, request.once, () => this.#clear(request.board, request.at, request.by, now));
      case "remove-owned": {
        const { board, id, owner } = request;
        return this.#named(board, request.once, () => this.#removed(board, s.removeOwned.get(board, id, owner), now));
      }
      case "restore": {
        const badCap = checkMaxCircles(request.request.maxCircles);
        if (badCap) return { ok: false, error: badCap };
        return this.#named(request.board, request.once, () => this.#restore(request.board, request.request, now));
      }
      case "claim":
        return this.#named(request.board, request.once, () => s.claim.get(request.board, request.hash, now) !== undefined);
      case "set-locked":
        return this.#named(
          request.board,
          request.once,
          () => s.setLocked.get(request.locked ? 1 : 0, now, request.board, request.hash) !== undefined,
        );
      case "set-rules":
      case "remove-player":
      case "readmit-player":
      case "remove-circle":
      case "delete-board":
        return this.#named(request.board, request.once, () => {
          const row = s.board.get(request.board);
          return hasAuthority(row?.host, request.by) ? this.#hostAction(request, row, now) : NOT_HOST;
        });
      case "touch":
        for (const board of request.boards) s.markUsed.run(board, request.at);
        return { ok: true, value: undefined };
      case "sweep": {
        const swept = s.sweep.all(request.before);
        for (const board of swept) this.#forget(board);
        s.expireNames.run(now);
        return { ok: true, value: swept };
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

  /** The host's actions, once `request.by` is known to hold the host's powers on the board (`row`, if it has one). */
  #hostAction(request: HostRequest, row: BoardRow | undefined, now: number): OutcomeValue {
    const s = this.#s;
    const { board } = request;
    switch (request.op) {
      case "set-rules": {
        const rules: RoomRules = {
          draw: request.rules.draw ?? row?.draw ?? DEFAULT_RULES.draw,
          chat: request.rules.chat ?? row?.chat ?? DEFAULT_RULES.chat,
        };
        s.setRules.run(board, rules.draw, rules.chat, now);
        return rules;
      }
      case "remove-player": {
        const { id, initials, owner } = request.player;
        s.markUsed.run(board, now);
        s.keepOut.run(board, owner, id, initials, board);
        // Their circles kept by the last clear go too, so that undoing it cannot bring them back.
        this.#depart(board, s.forgetOwnerCleared.all(board, owner));
        const gone = s.ownedBy.all(board, owner);
        if (gone.length === 0) return [];
        this.#depart(board, gone);
        s.removeOwner.run(board, owner);
        s.dropped.run(gone.length, gone.length, board);
        const base = row?.seq ?? 0;
        return gone.map((circle, i): StoredEvent => ({ seq: base + 1 + i, type: "remove", id: circle.id }));
      }
      case "readmit-player": {
        if (s.readmit.run(board, request.id).changes === 0) return false;
        s.markUsed.run(board, now);
        return true;
      }
      case "remove-circle":
        return this.#removed(board, s.removeCircle.get(board, request.id), now);
      case "delete-board":
        this.#forget(board);
        return true;
    }
  }

  /**
   * A write's outcome: its value, or, when it is named and its name taken,
   * its OnceOutcome (see `takenOutcome`), looked up in the batch's
   * transaction: the database's one writer is this thread, so nothing takes
   * the name meanwhile. The name is kept with the value unless `remember`
   * is false: an add's is its circle's row, written with it.
   */
  #named(board: string, once: Once | undefined, write: () => OutcomeValue, remember = true): StoreOutcome {
    if (once === undefined) return { ok: true, value: write() };
    const taken = takenOutcome(once, this.#recall(board, once.id));
    if (taken) return { ok: true, value: taken };
    const value = write();
    if (remember && tookEffect(value)) this.#remember(board, once, value);
    return { ok: true, value };
  }

  #recall(board: string, id: string): KnownName | undefined {
    const known = this.#s.recall.get(board, id, board, id, board, id);
    if (known === undefined) return undefined;
    if (known.fromCircle === 1) return nameOfRow(known).name;
    return { fingerprint: known.fingerprint, value: known.value === null ? null : (JSON.parse(known.value) as unknown) };
  }

  #remember(board: string, { id, fingerprint, keepUntil }: Once, value: unknown): void {
    this.#s.rememberName.run(board, id, fingerprint, JSON.stringify(value), keepUntil ?? null);
  }

  /** Circles gone for good (not by the cap): their names go to write_names, so that their ids stay taken, answering as their rows did. */
  #depart(board: string, rows: readonly NamedRow[]): void {
    for (const row of rows) {
      const { fingerprint, value } = nameOfRow(row).name;
      this.#s.rememberName.run(board, row.id, fingerprint, value === null ? null : JSON.stringify(value), null);
    }
  }

  #drawRefusal(board: string, { owner }: StoredCircle, by: Authority): DrawRefusal | undefined {
    const state = this.#s.drawState.get(owner ?? null, board);
    if (state?.removed) return "removed";
    if (state?.draw === "host" && !hasAuthority(state.host, by)) return "paused";
    return undefined;
  }

  #load(board: string): StoredBoard {
    const s = this.#s;
    const row = s.board.get(board);
    const stored: StoredBoard = {
      seq: row?.seq ?? 0,
      circles: s.circles.all(board).map(fromRow),
      rules: row ? { draw: row.draw, chat: row.chat } : { ...DEFAULT_RULES },
      removed: s.removedPlayers.all(board),
    };
    if (row?.host) stored.host = { hash: row.host, locked: row.locked === 1 };
    return stored;
  }

  /** Keeps what it removes in place of what the last clear kept. */
  #clear(board: string, at: number, by: Authority, now: number): StoredEvent | typeof CLEAR_LOCKED {
    const s = this.#s;
    if (!mayClear(s.board.get(board), by)) return CLEAR_LOCKED;
    this.#depart(board, s.forgetCleared.all(board));
    s.keepCleared.run(board);
    s.clearCircles.run(board);
    const seq = s.clearBoard.get(board, at, now);
    if (seq === undefined) throw new Error(`no seq for board ${board}`);
    return { seq, type: "clear" };
  }

  /** The change of the circle just deleted (`gone`; none, no change): the board's next seq, one circle fewer, and its name kept. */
  #removed(board: string, gone: NamedRow | undefined, now: number): StoredEvent | undefined {
    if (gone === undefined) return undefined;
    this.#depart(board, [gone]);
    const seq = this.#s.countDown.get(now, board);
    if (seq === undefined) throw new Error(`no seq for board ${board}`);
    return { seq, type: "remove", id: gone.id };
  }

  /** Every row of the board, in every table, its writes' names too: as if it had never been used. */
  #forget(board: string): void {
    const s = this.#s;
    s.clearCircles.run(board);
    s.deleteCleared.run(board);
    s.forgetRemoved.run(board);
    s.deleteBoard.run(board);
    s.forgetNames.run(board);
  }

  #restore(board: string, { seq, since, maxCircles, ...by }: RestoreRequest, now: number): RestoreOutcome {
    const s = this.#s;
    const row = s.board.get(board);
    if (!mayClear(row, by)) return { ok: false, reason: "locked" };
    if (row?.clearedSeq !== seq) return { ok: false, reason: "gone" };
    if ((row.clearedAt ?? 0) < since) return { ok: false, reason: "expired" };
    // Back with their names: their rows name them again.
    const circles = s.cleared.all(board).map((row): Added => ({ circle: nameOfRow(row).circle, fingerprint: row.fingerprint, addSeq: row.addSeq }));
    s.deleteCleared.run(board);
    s.restored.run(now, board);
    return { ok: true, events: this.#add(board, circles, maxCircles, now) };
  }

  #ping(): undefined {
    this.#s.ping.get();
    return undefined;
  }

  /**
   * Inserts each circle, with its name, then drops the board's oldest
   * circles beyond the cap, each change with its seq; a dropped circle's
   * name goes with its row.
   */
  #add(board: string, circles: readonly Added[], maxCircles: number, now: number): StoredEvent[] {
    const s = this.#s;
    const events: StoredEvent[] = [];
    let counted: { count: number; seq: number } | undefined;
    for (const { circle, fingerprint, addSeq } of circles) {
      const { id, initials, x, y, dia, rgba, createdAt, owner } = circle;
      counted = s.countUp.get(board, now);
      if (counted === undefined) throw new Error(`no circle count for board ${board}`);
      s.insertCircle.run(board, id, initials, x, y, dia, rgba, createdAt, owner ?? null, addSeq === undefined ? counted.seq : addSeq, fingerprint);
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
