import pg from "pg";
import type { PoolClient } from "pg";
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
import { connectionOptions, describeDatabase } from "./postgres-connection.js";
import { migrate } from "./postgres-schema.js";
import {
  boardsOf,
  CLEAR_LOCKED,
  circleRowName,
  RequestStore,
  takenOutcome,
  type DrawRefusal,
  type HostRequest,
  type KnownName,
  type StoreRequest,
  type NamedRequest,
} from "./request-store.js";

export interface PostgresStoreOptions {
  /** A postgres:// URL, as Heroku sets DATABASE_URL. */
  databaseUrl: string;
  /** False only in bench/write-names.ts, which measures what checking adds' names costs; the server never sets it. */
  checkNames?: boolean;
}

/** How writes were grouped into transactions, for tests. */
export interface PostgresStoreStats {
  /** Transactions committed, each holding one or more writes. */
  transactions: number;
  /** Writes committed: every call but `load` and `ping` (an add or a restore refused for its cap never reaches the database). */
  writes: number;
  /** Transactions that failed; each rejected every write it held. */
  failedTransactions: number;
}

interface Call {
  request: StoreRequest;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: Error };

/**
 * The names, for write_names, of the circles in `rows` (rows of circles or
 * cleared_circles) gone for good (not by the cap), so that their ids stay
 * taken: each answers with its add's change (the JSON of `addChange`; float8
 * prints its shortest exact digits) when its row did (see `circleRowName`).
 */
const namesOf = (rows: string) => `SELECT board, id, fingerprint,
    CASE WHEN fingerprint IS NOT NULL AND add_seq IS NOT NULL THEN json_build_array(json_build_object('seq', add_seq, 'type', 'add',
      'circle', json_strip_nulls(json_build_object('id', id, 'initials', initials, 'x', x, 'y', y, 'dia', dia, 'rgba', rgba,
        'createdAt', created_at, 'owner', owner))))::text END
  FROM ${rows}`;

/** Named, so each connection parses them once. */
const SQL = {
  // Rows first, then their locks, both in board order, so that two servers
  // whose batches write the same boards wait for each other, never deadlock.
  createBoards: `INSERT INTO boards (board, seq, circle_count)
    SELECT board, 0, 0 FROM unnest($1::text[]) AS board ORDER BY board
    ON CONFLICT (board) DO NOTHING`,
  lockBoards: "SELECT board FROM boards WHERE board = ANY($1::text[]) ORDER BY board FOR UPDATE",
  // Every change marks its board used (last_used) in the statement that makes it.
  // The add's name looked up (see migration 4: its circle's row, on the board
  // or kept by its last clear, else write_names), the rules' checks and the
  // add in one round trip, after the batch locked the board: the add, and its
  // seq, only when its name ($13) is free and nothing refuses it. Its row,
  // with its seq and fingerprint ($14), is its name from then on.
  add: `WITH known AS (
      SELECT true AS found, fingerprint, NULL::text AS value, add_seq, id, initials, x, y, dia, rgba, created_at, owner
      FROM circles WHERE board = $1 AND id = $13
      UNION ALL
      SELECT true, fingerprint, NULL, add_seq, id, initials, x, y, dia, rgba, created_at, owner FROM cleared_circles WHERE board = $1 AND id = $13
      UNION ALL
      SELECT true, fingerprint, value, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM write_names WHERE board = $1 AND id = $13
      LIMIT 1
    ), refused AS (
      SELECT CASE
          WHEN EXISTS (SELECT FROM removed_players WHERE board = $1 AND owner = $9) THEN 'removed'
          WHEN draw_rule = 'host' AND NOT ($10 OR coalesce(host = $11, false)) THEN 'paused'
        END AS reason
      FROM boards WHERE board = $1
    ), counted AS (
      UPDATE boards SET seq = seq + 1, circle_count = circle_count + 1, last_used = greatest(last_used, $12)
      WHERE board = $1 AND NOT EXISTS (SELECT FROM known) AND (SELECT reason FROM refused) IS NULL
      RETURNING seq, circle_count
    ), added AS (
      INSERT INTO circles (board, seq, id, initials, x, y, dia, rgba, created_at, owner, add_seq, fingerprint)
      SELECT $1, seq, $2, $3, $4, $5, $6, $7, $8, $9, seq, $14 FROM counted
      RETURNING seq
    )
    SELECT known.*, (SELECT reason FROM refused) AS refused, (SELECT seq FROM added) AS seq, (SELECT circle_count FROM counted) AS count
    FROM (VALUES (0)) AS one LEFT JOIN known ON true`,
  // Each dropped circle is one change: it takes one seq and leaves the count.
  // Its name goes with its row.
  dropOldest: `WITH gone AS (
      DELETE FROM circles WHERE board = $1
        AND seq IN (SELECT seq FROM circles WHERE board = $1 ORDER BY seq LIMIT $2)
      RETURNING seq, id
    ), counted AS (
      UPDATE boards SET seq = seq + (SELECT count(*) FROM gone),
        circle_count = circle_count - (SELECT count(*) FROM gone)
      WHERE board = $1
    )
    SELECT id FROM gone ORDER BY seq`,
  boardState: "SELECT host, locked, cleared_seq, cleared_at FROM boards WHERE board = $1",
  forgetCleared: `WITH gone AS (DELETE FROM cleared_circles WHERE board = $1 RETURNING *)
    INSERT INTO write_names (board, id, fingerprint, value) ${namesOf("gone")}`,
  // Keeps the row, and so the seq, of a cleared board, and what it removed; the clear's seq and time name what it kept.
  clear: `WITH gone AS (DELETE FROM circles WHERE board = $1 RETURNING *), kept AS (
      INSERT INTO cleared_circles (board, position, id, initials, x, y, dia, rgba, created_at, owner, add_seq, fingerprint)
      SELECT board, seq, id, initials, x, y, dia, rgba, created_at, owner, add_seq, fingerprint FROM gone
    )
    UPDATE boards SET seq = seq + 1, circle_count = 0, cleared_seq = seq + 1, cleared_at = $2, last_used = greatest(last_used, $3)
    WHERE board = $1 RETURNING seq`,
  removeOwned: `WITH gone AS (DELETE FROM circles WHERE board = $1 AND id = $2 AND owner = $3 RETURNING *), named AS (
      INSERT INTO write_names (board, id, fingerprint, value) ${namesOf("gone")}
    )
    UPDATE boards SET seq = seq + 1, circle_count = circle_count - 1, last_used = greatest(last_used, $4)
    WHERE board = $1 AND EXISTS (SELECT FROM gone) RETURNING seq`,
  removeCircle: `WITH gone AS (DELETE FROM circles WHERE board = $1 AND id = $2 RETURNING *), named AS (
      INSERT INTO write_names (board, id, fingerprint, value) ${namesOf("gone")}
    )
    UPDATE boards SET seq = seq + 1, circle_count = circle_count - 1, last_used = greatest(last_used, $3)
    WHERE board = $1 AND EXISTS (SELECT FROM gone) RETURNING seq`,
  // What the last clear kept goes back on top, in its order, each with the board's next seq, and its name.
  restore: `WITH kept AS (
      DELETE FROM cleared_circles WHERE board = $1 RETURNING *
    ), numbered AS (
      SELECT row_number() OVER (ORDER BY position) AS n, * FROM kept
    ), counted AS (
      UPDATE boards SET seq = seq + (SELECT count(*) FROM kept), circle_count = circle_count + (SELECT count(*) FROM kept),
        cleared_seq = NULL, cleared_at = NULL, last_used = greatest(last_used, $2)
      WHERE board = $1 RETURNING seq - (SELECT count(*) FROM kept) AS base, circle_count
    )
    INSERT INTO circles (board, seq, id, initials, x, y, dia, rgba, created_at, owner, add_seq, fingerprint)
    SELECT $1, base + n, id, initials, x, y, dia, rgba, created_at, owner, add_seq, fingerprint FROM numbered, counted
    RETURNING seq, id, initials, x, y, dia, rgba, created_at, owner, (SELECT circle_count FROM counted) AS count`,
  // The batch made the row (seq 0) if there was none: a board that never changed.
  claim: "UPDATE boards SET host = $2, last_used = greatest(last_used, $3) WHERE board = $1 AND seq = 0 AND host IS NULL RETURNING board",
  setLocked: "UPDATE boards SET locked = $3, last_used = greatest(last_used, $4) WHERE board = $1 AND host = $2 RETURNING board",
  setRules: `UPDATE boards SET draw_rule = coalesce($2, draw_rule), chat_rule = coalesce($3, chat_rule), last_used = greatest(last_used, $4)
    WHERE board = $1 RETURNING draw_rule, chat_rule`,
  // The owner kept out (a later removal puts them last again), their circles
  // removed oldest first, one seq each, and those their last clear kept
  // forgotten, so that undoing it cannot bring them back; their names kept.
  removePlayer: `WITH kept_out AS (
      INSERT INTO removed_players (board, owner, id, initials, position)
      VALUES ($1, $2, $3, $4, (SELECT coalesce(max(position), 0) + 1 FROM removed_players WHERE board = $1))
      ON CONFLICT (board, owner) DO UPDATE SET id = EXCLUDED.id, initials = EXCLUDED.initials, position = EXCLUDED.position
    ), forgotten AS (
      DELETE FROM cleared_circles WHERE board = $1 AND owner = $2 RETURNING *
    ), gone AS (
      DELETE FROM circles WHERE board = $1 AND owner = $2 RETURNING *
    ), named AS (
      INSERT INTO write_names (board, id, fingerprint, value) ${namesOf("forgotten")} UNION ALL ${namesOf("gone")}
    ), counted AS (
      UPDATE boards SET seq = seq + (SELECT count(*) FROM gone), circle_count = circle_count - (SELECT count(*) FROM gone),
        last_used = greatest(last_used, $5)
      WHERE board = $1 RETURNING seq
    )
    SELECT gone.id, counted.seq AS last FROM gone, counted ORDER BY gone.seq`,
  readmitPlayer: `WITH gone AS (DELETE FROM removed_players WHERE board = $1 AND id = $2 RETURNING id)
    UPDATE boards SET last_used = greatest(last_used, $3) WHERE board = $1 AND EXISTS (SELECT FROM gone) RETURNING board`,
  // A name of a write but an add, where the add's looks (see SQL.add): so that no operation takes a circle's id.
  recallName: `SELECT fingerprint, NULL AS value, add_seq, id, initials, x, y, dia, rgba, created_at, owner FROM circles WHERE board = $1 AND id = $2
    UNION ALL SELECT fingerprint, NULL, add_seq, id, initials, x, y, dia, rgba, created_at, owner FROM cleared_circles WHERE board = $1 AND id = $2
    UNION ALL SELECT fingerprint, value, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM write_names WHERE board = $1 AND id = $2
    LIMIT 1`,
  rememberName: "INSERT INTO write_names (board, id, fingerprint, value, keep_until) VALUES ($1, $2, $3, $4, $5)",
  // The rest of the board goes with its row (ON DELETE CASCADE), but for its writes' names, which have no tie to it.
  deleteBoard: "WITH forgotten AS (DELETE FROM write_names WHERE board = $1) DELETE FROM boards WHERE board = $1",
  touch: "UPDATE boards SET last_used = greatest(last_used, $2) WHERE board = ANY($1::text[])",
  // SKIP LOCKED: a board whose row another transaction holds is in use, and
  // waiting for it, out of board order, could deadlock with that transaction.
  sweep: `WITH swept AS (
      DELETE FROM boards WHERE board IN (SELECT board FROM boards WHERE last_used < $1 FOR UPDATE SKIP LOCKED) RETURNING board
    ), forgotten AS (
      DELETE FROM write_names WHERE board IN (SELECT board FROM swept)
    )
    SELECT board FROM swept`,
  // SKIP LOCKED: a transaction deleting a board's names (deleteBoard) may hold
  // some of them, in another order, and waiting for it could deadlock; it
  // deletes them, or the next sweep does.
  expireNames: `DELETE FROM write_names WHERE (board, id) IN (
      SELECT board, id FROM write_names WHERE keep_until < $1 FOR UPDATE SKIP LOCKED
    )`,
  // One statement, so the seq, the circles and the removed players come from one
  // snapshot even while other servers write: kind 0, the board's row joined to
  // each of its circles (position: their seq); kind 1, its removed players.
  load: `SELECT 0 AS kind, b.seq, b.host, b.locked, b.draw_rule, b.chat_rule,
      c.seq AS position, c.id, c.initials, c.x, c.y, c.dia, c.rgba, c.created_at, c.owner
    FROM boards b LEFT JOIN circles c ON c.board = b.board WHERE b.board = $1
    UNION ALL
    SELECT 1, NULL, NULL, NULL, NULL, NULL, position, id, initials, NULL, NULL, NULL, NULL, NULL, owner
    FROM removed_players WHERE board = $1
    ORDER BY kind, position`,
  ping: "SELECT 1",
} as const;

interface CircleRow {
  id: string;
  initials: string;
  x: number;
  y: number;
  dia: number;
  rgba: string;
  created_at: string;
  owner: string | null;
}

type LoadRow =
  | ({ kind: 0; seq: string; host: string | null; locked: boolean; draw_rule: RoomRules["draw"]; chat_rule: RoomRules["chat"] } & (
      CircleRow | { id: null }
    ))
  | { kind: 1; id: string; initials: string; owner: string };

/** A name as SQL.recallName (and SQL.add's `known`) finds it: a circle's row, or write_names' (its circle columns null). */
type NameRow = { fingerprint: string | null; value: string | null; add_seq: string | null } & (CircleRow | { id: null });

/** The add's statement's answer: the name's write before (`found` null: none), or the add's refusal, or its seq. */
type AddRow = NameRow & { found: true | null; refused: DrawRefusal | null; seq: string | null; count: number | null };

interface BoardStateRow {
  host: string | null;
  locked: boolean;
  cleared_seq: string | null;
  cleared_at: string | null;
}

/** The circle as callers see it: no `owner` key at all when it has none. */
function circleOf({ id, initials, x, y, dia, rgba, created_at, owner }: CircleRow): StoredCircle {
  const circle: StoredCircle = { id, initials, x, y, dia, rgba, createdAt: Number(created_at) };
  if (owner !== null) circle.owner = owner;
  return circle;
}

/** May `by` clear this board, or undo its clear? */
const mayClear = (row: BoardStateRow | undefined, by: Authority) => !row?.locked || hasAuthority(row.host, by);

/** The name a NameRow holds: a circle's row names its add (see `circleRowName`); write_names keeps the answer as JSON. */
function knownName(row: NameRow): KnownName {
  if (row.id !== null) return circleRowName(circleOf(row), row.fingerprint, row.add_seq === null ? null : Number(row.add_seq));
  return { fingerprint: row.fingerprint, value: row.value === null ? null : (JSON.parse(row.value) as unknown) };
}

/** Why an add or a restore must not run: a bad cap. */
function badCapOf(request: StoreRequest): RangeError | undefined {
  if (request.op === "add") return checkMaxCircles(request.maxCircles);
  if (request.op === "restore") return checkMaxCircles(request.request.maxCircles);
  return undefined;
}

/** A write that reaches the database: adds and restores with a bad cap are refused before. */
const isWrite = (request: StoreRequest) => request.op !== "load" && request.op !== "ping" && badCapOf(request) === undefined;

/** A message even for errors that carry none, such as the AggregateError of a refused localhost. */
function describe(error: unknown): string {
  if (error instanceof AggregateError && error.message === "") return error.errors.map(describe).join("; ");
  if (error instanceof Error) return error.message || String((error as NodeJS.ErrnoException).code ?? error.name);
  return String(error);
}

/** What failed on the connection, if anything: a refused cap says nothing about it. */
function failureOf(outcomes: Outcome[]): Error | undefined {
  for (const outcome of outcomes) if (!outcome.ok && !(outcome.error instanceof RangeError)) return outcome.error;
  return undefined;
}

// Errors on a connection surface in the query that was using it; the pool
// replaces a broken one. Unheard, they would crash the process.
const ignore = () => undefined;

/**
 * How long the server lets a session of this store sit in a transaction
 * between statements. The store never pauses inside one, so a session that
 * does belongs to a server cut off from the database mid-transaction: left
 * alone, it would hold its boards' rows, and so every node's writes to them,
 * until the database noticed the connection was gone (hours, with TCP
 * keepalive's defaults). Well under the query timeout, so that the other
 * nodes' writes waiting for those rows still go through.
 */
const IDLE_IN_TRANSACTION_MS = 5_000;

/**
 * Boards in PostgreSQL, for `DATABASE_URL`; several servers may share the
 * database.
 *
 * Calls are queued; everything queued while the previous batch ran becomes
 * the next batch, run in one transaction on the store's one connection, so
 * writes that arrive together share one commit and promises settle in call
 * order, loads included, once the commit is done (a resolved write is
 * committed). The transaction first locks the rows of the boards it writes,
 * and each write takes its seqs by updating its board's row, so seqs stay
 * gapless and unique with any number of servers.
 *
 * When PostgreSQL is down every call rejects, saying so, and the next batch
 * tries a fresh connection: the store recovers by itself.
 */
export class PostgresStore extends RequestStore {
  readonly #pool: pg.Pool;
  /** Where the database is, for error messages. */
  readonly #where: string;
  #queue: Call[] = [];
  /** Set while batches run; settles once the queue is empty. */
  #draining: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  readonly #stats: PostgresStoreStats = { transactions: 0, writes: 0, failedTransactions: 0 };

  /** Connects and brings the schema up to date; rejects, saying why, if it cannot. */
  static async open({ databaseUrl, checkNames = true }: PostgresStoreOptions): Promise<PostgresStore> {
    const where = describeDatabase(databaseUrl);
    const pool = new pg.Pool({
      ...connectionOptions(databaseUrl),
      // One connection: batches run one after another, which is what keeps call order.
      max: 1,
      // An idle store must not keep the process alive.
      allowExitOnIdle: true,
      // A server that does not answer fails the batch instead of holding every write.
      connectionTimeoutMillis: 5000,
      query_timeout: 10_000,
      keepAlive: true,
    });
    pool.on("error", ignore);
    try {
      const client = await pool.connect();
      try {
        await migrate(client);
        client.release();
      } catch (error) {
        client.release(error instanceof Error ? error : true);
        throw error;
      }
    } catch (error) {
      await pool.end();
      throw new Error(`cannot open the PostgreSQL database ${where}: ${describe(error)}`, { cause: error });
    }
    return new PostgresStore(pool, where, checkNames);
  }

  private constructor(pool: pg.Pool, where: string, checkNames: boolean) {
    super({ checkNames });
    this.#pool = pool;
    this.#where = where;
  }

  /** Counters since open; they only ever grow. */
  get stats(): Readonly<PostgresStoreStats> {
    return { ...this.#stats };
  }

  /** Runs every call made so far, then closes the connection. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#draining;
      await this.#pool.end();
    })();
    return this.#closing;
  }

  protected call<T>(request: StoreRequest, answer: (value: unknown) => T): Promise<T> {
    if (this.#closing !== undefined) return Promise.reject(new Error("store is closed"));
    return new Promise<T>((resolve, reject) => {
      const settle = (value: unknown) => {
        try {
          resolve(answer(value));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
      this.#queue.push({ request, resolve: settle, reject });
      // A microtask later, so that the calls of this tick start as one batch.
      this.#draining ??= Promise.resolve().then(() => this.#drain());
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) await this.#runBatch();
    } finally {
      // No await between the last check and this: a call made from now on starts a new drain.
      this.#draining = undefined;
    }
  }

  /** Runs what is queued, settling every call of it; never throws. */
  async #runBatch(): Promise<void> {
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      this.#settle(this.#queue.splice(0), () => ({ ok: false, error: this.#unavailable(error) }));
      return;
    }
    // Taken after connecting: the calls made meanwhile join this batch.
    const batch = this.#queue.splice(0);
    client.on("error", ignore);
    const writes = batch.filter((call) => isWrite(call.request)).length;
    if (writes === 0) {
      const outcomes = await this.#eachAlone(client, batch);
      this.#release(client, failureOf(outcomes));
      this.#settle(batch, (_, i) => outcomes[i] as Outcome);
      return;
    }
    try {
      const outcomes = await this.#transaction(client, batch);
      this.#release(client);
      this.#stats.transactions++;
      this.#stats.writes += writes;
      this.#settle(batch, (_, i) => outcomes[i] as Outcome);
    } catch (cause) {
      // Whatever went wrong, this connection is suspect: drop it, the pool makes a new one.
      this.#release(client, cause);
      this.#stats.failedTransactions++;
      const error = this.#unavailable(cause);
      // Reads are answered from what is committed, which is what they would have
      // seen had the failed writes never been called.
      const reads = batch.filter((call) => !isWrite(call.request));
      const answers = await this.#readsOnFreshConnection(reads);
      this.#settle(batch, (call) => (isWrite(call.request) ? { ok: false, error } : (answers.get(call) as Outcome)));
    }
  }

  /**
   * Every call of the batch in one transaction; throws if any part fails.
   * No ROLLBACK then: the caller destroys the connection, which rolls the
   * transaction back on the server, whereas a ROLLBACK sent after a query
   * that went unanswered (the server gone silent) would wait out a second
   * query timeout before the batch's writes are answered.
   */
  async #transaction(client: PoolClient, batch: Call[]): Promise<Outcome[]> {
    const boards = new Set<string>();
    for (const { request } of batch) if (isWrite(request)) for (const board of boardsOf(request)) boards.add(board);
    const locked = [...boards];
    // A row another server deletes (deleteBoard, sweep) between making the
    // rows and locking them is not locked: start again, the locks taken so
    // far released, so that they are still taken in board order.
    for (;;) {
      // SET LOCAL, not a connection parameter, so that poolers such as PgBouncer accept it; one round trip with BEGIN.
      await client.query(`BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${IDLE_IN_TRANSACTION_MS}`);
      await client.query({ name: "circles-create-boards", text: SQL.createBoards, values: [locked] });
      const { rowCount } = await client.query({ name: "circles-lock-boards", text: SQL.lockBoards, values: [locked] });
      if (rowCount === locked.length) break;
      await client.query("ROLLBACK");
    }
    const now = Date.now();
    // Rows this batch deleted, made again (locked: they are this transaction's) for its later writes to them.
    const deleted = new Set<string>();
    const outcomes: Outcome[] = [];
    for (const { request } of batch) {
      const badCap = badCapOf(request);
      if (badCap) {
        outcomes.push({ ok: false, error: badCap });
        continue;
      }
      const again = isWrite(request) ? boardsOf(request).filter((board) => deleted.delete(board)) : [];
      if (again.length > 0) await client.query({ name: "circles-create-boards", text: SQL.createBoards, values: [again] });
      const value = await this.#apply(client, request, now);
      // True: made now (a named one made before answers a OnceOutcome).
      if (request.op === "delete-board" && value === true) deleted.add(request.board);
      if (request.op === "sweep") for (const board of value as string[]) deleted.add(board);
      outcomes.push({ ok: true, value });
    }
    await client.query("COMMIT");
    return outcomes;
  }

  /** Each call on its own: for batches without writes, where one failing read must not fail the others. */
  async #eachAlone(client: PoolClient, calls: Call[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const call of calls) {
      const badCap = badCapOf(call.request);
      if (badCap) {
        outcomes.push({ ok: false, error: badCap });
        continue;
      }
      try {
        outcomes.push({ ok: true, value: await this.#apply(client, call.request, Date.now()) });
      } catch (error) {
        outcomes.push({ ok: false, error: this.#unavailable(error) });
      }
    }
    return outcomes;
  }

  async #readsOnFreshConnection(reads: Call[]): Promise<Map<Call, Outcome>> {
    const answers = new Map<Call, Outcome>();
    if (reads.length === 0) return answers;
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      for (const call of reads) answers.set(call, { ok: false, error: this.#unavailable(error) });
      return answers;
    }
    client.on("error", ignore);
    const outcomes = await this.#eachAlone(client, reads);
    this.#release(client, failureOf(outcomes));
    reads.forEach((call, i) => answers.set(call, outcomes[i] as Outcome));
    return answers;
  }

  /** `now` marks the boards changed as used. A named write made before answers its OnceOutcome. */
  async #apply(client: PoolClient, request: StoreRequest, now: number): Promise<unknown> {
    switch (request.op) {
      case "touch":
        await client.query({ name: "circles-touch", text: SQL.touch, values: [request.boards, request.at] });
        return undefined;
      case "sweep": {
        const { rows } = await client.query<{ board: string }>({ name: "circles-sweep", text: SQL.sweep, values: [request.before] });
        await client.query({ name: "circles-expire-names", text: SQL.expireNames, values: [now] });
        return rows.map((row) => row.board);
      }
      case "load":
        return this.#load(client, request.board);
      case "ping":
        await client.query({ name: "circles-ping", text: SQL.ping });
        return undefined;
      case "add":
        return this.#add(client, request, now);
      default: {
        const { board, once } = request;
        if (once === undefined) return this.#write(client, request, now);
        const taken = takenOutcome(once, await this.#recall(client, board, once.id));
        if (taken) return taken;
        const value = await this.#write(client, request, now);
        if (tookEffect(value)) await this.#remember(client, board, once, value);
        return value;
      }
    }
  }

  /** The name's write before, if any: looked up after the batch locked the board, so no other node takes it meanwhile. */
  async #recall(client: PoolClient, board: string, id: string): Promise<KnownName | undefined> {
    const { rows } = await client.query<NameRow>({ name: "circles-recall-name", text: SQL.recallName, values: [board, id] });
    return rows[0] && knownName(rows[0]);
  }

  async #remember(client: PoolClient, board: string, { id, fingerprint, keepUntil }: Once, value: unknown): Promise<void> {
    await client.query({
      name: "circles-remember-name",
      text: SQL.rememberName,
      values: [board, id, fingerprint, JSON.stringify(value), keepUntil ?? null],
    });
  }

  /** A write but an add (which names itself), as it is, whatever its name. */
  async #write(client: PoolClient, request: NamedRequest, now: number): Promise<unknown> {
    switch (request.op) {
      case "clear":
        return this.#clear(client, request.board, request.at, request.by, now);
      case "remove-owned": {
        const { board, id, owner } = request;
        const { rows } = await client.query<{ seq: string }>({
          name: "circles-remove-owned",
          text: SQL.removeOwned,
          values: [board, id, owner, now],
        });
        return rows[0] === undefined ? undefined : { seq: Number(rows[0].seq), type: "remove", id };
      }
      case "restore":
        return this.#restore(client, request.board, request.request, now);
      case "claim": {
        const { rowCount } = await client.query({ name: "circles-claim", text: SQL.claim, values: [request.board, request.hash, now] });
        return rowCount === 1;
      }
      case "set-locked": {
        const { board, hash, locked } = request;
        const { rowCount } = await client.query({ name: "circles-set-locked", text: SQL.setLocked, values: [board, hash, locked, now] });
        return rowCount === 1;
      }
      case "set-rules":
      case "remove-player":
      case "readmit-player":
      case "remove-circle":
      case "delete-board":
        if (!hasAuthority((await this.#boardState(client, request.board))?.host, request.by)) return NOT_HOST;
        return this.#hostAction(client, request, now);
    }
  }

  /** A host's action, once its asker is known to hold the host's powers on the board. */
  async #hostAction(client: PoolClient, request: HostRequest, now: number): Promise<unknown> {
    const { board } = request;
    switch (request.op) {
      case "set-rules": {
        const { draw, chat } = request.rules;
        const { rows } = await client.query<{ draw_rule: RoomRules["draw"]; chat_rule: RoomRules["chat"] }>({
          name: "circles-set-rules",
          text: SQL.setRules,
          values: [board, draw ?? null, chat ?? null, now],
        });
        const rules = rows[0];
        if (rules === undefined) throw new Error(`no row for board ${board}`);
        return { draw: rules.draw_rule, chat: rules.chat_rule };
      }
      case "remove-player": {
        const { id, initials, owner } = request.player;
        const { rows } = await client.query<{ id: string; last: string }>({
          name: "circles-remove-player",
          text: SQL.removePlayer,
          values: [board, owner, id, initials, now],
        });
        // The circles' removes took the board's last seqs, one each, in this order.
        const first = Number(rows[0]?.last) - rows.length + 1;
        return rows.map((row, i): StoredEvent => ({ seq: first + i, type: "remove", id: row.id }));
      }
      case "readmit-player": {
        const { rowCount } = await client.query({ name: "circles-readmit-player", text: SQL.readmitPlayer, values: [board, request.id, now] });
        return rowCount === 1;
      }
      case "remove-circle": {
        const { id } = request;
        const { rows } = await client.query<{ seq: string }>({ name: "circles-remove-circle", text: SQL.removeCircle, values: [board, id, now] });
        return rows[0] === undefined ? undefined : { seq: Number(rows[0].seq), type: "remove", id };
      }
      case "delete-board":
        await client.query({ name: "circles-delete-board", text: SQL.deleteBoard, values: [board] });
        return true;
    }
  }

  /** An add, named or not: its name is checked in the add's own statement, one round trip, as an add without a name. */
  async #add(
    client: PoolClient,
    { board, circle, maxCircles, by, fingerprint }: StoreRequest & { op: "add" },
    now: number,
  ): Promise<StoredEvent[] | DrawRefusal | OnceOutcome> {
    const { id, initials, x, y, dia, rgba, createdAt, owner } = circle;
    const { rows } = await client.query<AddRow>({
      name: "circles-add",
      text: SQL.add,
      values: [
        board,
        id,
        initials,
        x,
        y,
        dia,
        rgba,
        createdAt,
        owner ?? null,
        by.admin === true,
        by.host ?? null,
        now,
        fingerprint === undefined ? null : id,
        fingerprint ?? null,
      ],
    });
    const added = rows[0];
    if (added === undefined) throw new Error(`no row for board ${board}`);
    const taken = fingerprint !== undefined && added.found !== null ? takenOutcome({ id, fingerprint }, knownName(added)) : undefined;
    if (taken) return taken;
    let value: StoredEvent[] | DrawRefusal | null = added.refused;
    if (value === null) {
      if (added.seq === null || added.count === null) throw new Error(`no row for board ${board}`);
      value = await this.#cap(client, board, [{ seq: Number(added.seq), type: "add", circle: { ...circle } }], added.count, maxCircles);
    }
    return value;
  }

  /** Drops the board's oldest circles beyond the cap, each a change after `events`. */
  async #cap(client: PoolClient, board: string, events: StoredEvent[], count: number, maxCircles: number): Promise<StoredEvent[]> {
    const last = events.at(-1);
    if (last === undefined || count <= maxCircles) return events;
    const dropped = await client.query<{ id: string }>({
      name: "circles-drop-oldest",
      text: SQL.dropOldest,
      values: [board, count - maxCircles],
    });
    dropped.rows.forEach((row, i) => events.push({ seq: last.seq + 1 + i, type: "remove", id: row.id }));
    return events;
  }

  async #boardState(client: PoolClient, board: string): Promise<BoardStateRow | undefined> {
    const { rows } = await client.query<BoardStateRow>({ name: "circles-board-state", text: SQL.boardState, values: [board] });
    return rows[0];
  }

  async #clear(client: PoolClient, board: string, at: number, by: Authority, now: number): Promise<StoredEvent | typeof CLEAR_LOCKED> {
    if (!mayClear(await this.#boardState(client, board), by)) return CLEAR_LOCKED;
    await client.query({ name: "circles-forget-cleared", text: SQL.forgetCleared, values: [board] });
    const { rows } = await client.query<{ seq: string }>({ name: "circles-clear", text: SQL.clear, values: [board, at, now] });
    return { seq: Number(rows[0]?.seq), type: "clear" };
  }

  async #restore(client: PoolClient, board: string, { seq, since, maxCircles, ...by }: RestoreRequest, now: number): Promise<RestoreOutcome> {
    const state = await this.#boardState(client, board);
    if (!mayClear(state, by)) return { ok: false, reason: "locked" };
    if (state === undefined || state.cleared_seq === null || Number(state.cleared_seq) !== seq) return { ok: false, reason: "gone" };
    if (Number(state.cleared_at) < since) return { ok: false, reason: "expired" };
    const { rows } = await client.query<CircleRow & { seq: string; count: number }>({
      name: "circles-restore",
      text: SQL.restore,
      values: [board, now],
    });
    // INSERT ... RETURNING promises no order: seq is the circles' order.
    rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    const events: StoredEvent[] = rows.map((row) => ({ seq: Number(row.seq), type: "add", circle: circleOf(row) }));
    return { ok: true, events: await this.#cap(client, board, events, rows[0]?.count ?? 0, maxCircles) };
  }

  async #load(client: PoolClient, board: string): Promise<StoredBoard> {
    const { rows } = await client.query<LoadRow>({ name: "circles-load", text: SQL.load, values: [board] });
    const circles: StoredCircle[] = [];
    const removed: RemovedPlayer[] = [];
    let state: (LoadRow & { kind: 0 }) | undefined;
    for (const row of rows) {
      if (row.kind === 1) {
        removed.push({ id: row.id, initials: row.initials, owner: row.owner });
        continue;
      }
      state ??= row;
      if (row.id !== null) circles.push(circleOf(row)); // else the board's row, joined to no circle
    }
    const stored: StoredBoard = {
      seq: state === undefined ? 0 : Number(state.seq),
      circles,
      rules: state === undefined ? { ...DEFAULT_RULES } : { draw: state.draw_rule, chat: state.chat_rule },
      removed,
    };
    if (state?.host) stored.host = { hash: state.host, locked: state.locked };
    return stored;
  }

  /** Back to the pool; destroyed instead when something failed on it. */
  #release(client: PoolClient, error?: unknown): void {
    client.off("error", ignore);
    client.release(error === undefined ? undefined : error instanceof Error ? error : true);
  }

  #unavailable(cause: unknown): Error {
    return new Error(`PostgreSQL at ${this.#where}: ${describe(cause)}`, { cause });
  }

  #settle(calls: Call[], outcomeOf: (call: Call, index: number) => Outcome): void {
    calls.forEach((call, i) => {
      const outcome = outcomeOf(call, i);
      if (outcome.ok) call.resolve(outcome.value);
      else call.reject(outcome.error);
    });
  }
}
