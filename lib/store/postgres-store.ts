import pg from "pg";
import type { PoolClient } from "pg";
import type { BoardEvent, Circle } from "../events.js";
import { checkMaxCircles, type BoardStore, type StoredBoard } from "./board-store.js";
import { connectionOptions, describeDatabase } from "./postgres-connection.js";
import { migrate } from "./postgres-schema.js";

export interface PostgresStoreOptions {
  /** A postgres:// URL, as Heroku sets DATABASE_URL. */
  databaseUrl: string;
}

/** How writes were grouped into transactions, for tests. */
export interface PostgresStoreStats {
  /** Transactions committed, each holding one or more writes. */
  transactions: number;
  /** Writes (`add`, `clear`) committed. */
  writes: number;
  /** Transactions that failed; each rejected every write it held. */
  failedTransactions: number;
}

type Request =
  | { op: "load"; board: string }
  | { op: "add"; board: string; circle: Circle; maxCircles: number }
  | { op: "clear"; board: string }
  | { op: "ping" };

interface Call {
  request: Request;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: Error };

/** Named, so each connection parses them once. */
const SQL = {
  // Rows first, then their locks, both in board order, so that two servers
  // whose batches write the same boards wait for each other, never deadlock.
  createBoards: `INSERT INTO boards (board, seq, circle_count)
    SELECT board, 0, 0 FROM unnest($1::text[]) AS board ORDER BY board
    ON CONFLICT (board) DO NOTHING`,
  lockBoards: "SELECT board FROM boards WHERE board = ANY($1::text[]) ORDER BY board FOR UPDATE",
  add: `WITH counted AS (
      UPDATE boards SET seq = seq + 1, circle_count = circle_count + 1 WHERE board = $1
      RETURNING seq, circle_count
    )
    INSERT INTO circles (board, seq, id, initials, x, y, dia, rgba, created_at)
    SELECT $1, seq, $2, $3, $4, $5, $6, $7, $8 FROM counted
    RETURNING seq, (SELECT circle_count FROM counted) AS count`,
  // Each dropped circle is one change: it takes one seq and leaves the count.
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
  // Keeps the row, and so the seq, of a cleared board.
  clear: `WITH gone AS (DELETE FROM circles WHERE board = $1)
    UPDATE boards SET seq = seq + 1, circle_count = 0 WHERE board = $1 RETURNING seq`,
  // One statement, so the seq and the circles come from one snapshot even while other servers write.
  load: `SELECT b.seq, c.id, c.initials, c.x, c.y, c.dia, c.rgba, c.created_at
    FROM boards b LEFT JOIN circles c ON c.board = b.board
    WHERE b.board = $1 ORDER BY c.seq`,
  ping: "SELECT 1",
} as const;

interface LoadRow {
  seq: string;
  id: string | null;
  initials: string;
  x: number;
  y: number;
  dia: number;
  rgba: string;
  created_at: string;
}

/** A write that reaches the database: adds with a bad cap are refused before. */
const isWrite = (request: Request) =>
  request.op === "clear" || (request.op === "add" && checkMaxCircles(request.maxCircles) === undefined);

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
export class PostgresStore implements BoardStore {
  readonly #pool: pg.Pool;
  /** Where the database is, for error messages. */
  readonly #where: string;
  #queue: Call[] = [];
  /** Set while batches run; settles once the queue is empty. */
  #draining: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  readonly #stats: PostgresStoreStats = { transactions: 0, writes: 0, failedTransactions: 0 };

  /** Connects and brings the schema up to date; rejects, saying why, if it cannot. */
  static async open({ databaseUrl }: PostgresStoreOptions): Promise<PostgresStore> {
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
    return new PostgresStore(pool, where);
  }

  private constructor(pool: pg.Pool, where: string) {
    this.#pool = pool;
    this.#where = where;
  }

  /** Counters since open; they only ever grow. */
  get stats(): Readonly<PostgresStoreStats> {
    return { ...this.#stats };
  }

  load(board: string): Promise<StoredBoard> {
    return this.#call({ op: "load", board });
  }

  add(board: string, circle: Circle, maxCircles: number): Promise<BoardEvent[]> {
    return this.#call({ op: "add", board, circle, maxCircles });
  }

  clear(board: string): Promise<BoardEvent & { type: "clear" }> {
    return this.#call({ op: "clear", board });
  }

  /** Answers through the queue, on the store's connection, so it fails when writes would. */
  async ping(): Promise<void> {
    await this.#call({ op: "ping" });
  }

  /** Runs every call made so far, then closes the connection. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#draining;
      await this.#pool.end();
    })();
    return this.#closing;
  }

  #call<T>(request: Request): Promise<T> {
    if (this.#closing !== undefined) return Promise.reject(new Error("store is closed"));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ request, resolve: resolve as (value: unknown) => void, reject });
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
    for (const { request } of batch) if (request.op !== "ping" && isWrite(request)) boards.add(request.board);
    const locked = [...boards];
    await client.query("BEGIN");
    await client.query({ name: "circles-create-boards", text: SQL.createBoards, values: [locked] });
    await client.query({ name: "circles-lock-boards", text: SQL.lockBoards, values: [locked] });
    const outcomes: Outcome[] = [];
    for (const call of batch) {
      const badCap = call.request.op === "add" ? checkMaxCircles(call.request.maxCircles) : undefined;
      outcomes.push(badCap ? { ok: false, error: badCap } : { ok: true, value: await this.#apply(client, call.request) });
    }
    await client.query("COMMIT");
    return outcomes;
  }

  /** Each call on its own: for batches without writes, where one failing read must not fail the others. */
  async #eachAlone(client: PoolClient, calls: Call[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const call of calls) {
      const badCap = call.request.op === "add" ? checkMaxCircles(call.request.maxCircles) : undefined;
      if (badCap) {
        outcomes.push({ ok: false, error: badCap });
        continue;
      }
      try {
        outcomes.push({ ok: true, value: await this.#apply(client, call.request) });
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

  async #apply(client: PoolClient, request: Request): Promise<unknown> {
    switch (request.op) {
      case "add":
        return this.#add(client, request.board, request.circle, request.maxCircles);
      case "clear": {
        const { rows } = await client.query<{ seq: string }>({ name: "circles-clear", text: SQL.clear, values: [request.board] });
        return { seq: Number(rows[0]?.seq), type: "clear" };
      }
      case "load":
        return this.#load(client, request.board);
      case "ping":
        await client.query({ name: "circles-ping", text: SQL.ping });
        return undefined;
    }
  }

  async #add(client: PoolClient, board: string, circle: Circle, maxCircles: number): Promise<BoardEvent[]> {
    const { id, initials, x, y, dia, rgba, createdAt } = circle;
    const { rows } = await client.query<{ seq: string; count: number }>({
      name: "circles-add",
      text: SQL.add,
      values: [board, id, initials, x, y, dia, rgba, createdAt],
    });
    const added = rows[0];
    if (added === undefined) throw new Error(`no row for board ${board}`);
    const seq = Number(added.seq);
    const events: BoardEvent[] = [{ seq, type: "add", circle: { ...circle } }];
    if (added.count <= maxCircles) return events;
    const dropped = await client.query<{ id: string }>({
      name: "circles-drop-oldest",
      text: SQL.dropOldest,
      values: [board, added.count - maxCircles],
    });
    dropped.rows.forEach((row, i) => events.push({ seq: seq + 1 + i, type: "remove", id: row.id }));
    return events;
  }

  async #load(client: PoolClient, board: string): Promise<StoredBoard> {
    const { rows } = await client.query<LoadRow>({ name: "circles-load", text: SQL.load, values: [board] });
    const circles: Circle[] = [];
    for (const row of rows) {
      if (row.id === null) continue; // the board's row, joined to no circle
      const { id, initials, x, y, dia, rgba } = row;
      circles.push({ id, initials, x, y, dia, rgba, createdAt: Number(row.created_at) });
    }
    return { seq: rows[0] === undefined ? 0 : Number(rows[0].seq), circles };
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
