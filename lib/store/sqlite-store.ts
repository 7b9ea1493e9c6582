import fs from "node:fs/promises";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { RequestStore, type StoreRequest } from "./request-store.js";
import type { SqliteStoreStats, StoreOutcome } from "./sqlite-database.js";
import type { FromWorker, ToWorker, WorkerData } from "./sqlite-worker.js";

export type { SqliteStoreStats } from "./sqlite-database.js";

export interface SqliteStoreOptions {
  /** Directory of `circles.db`; created, with its parents, if missing. */
  dataDir: string;
  /** False only in bench/write-names.ts, which measures what checking adds' names costs; the server never sets it. */
  checkNames?: boolean;
}

/**
 * Starts the worker. Tests and the benchmarks run this module from its
 * TypeScript source, with no build, so the worker must run from source too,
 * through tsx (a dev dependency). On Node 20 tsx does not hook worker threads
 * (`--import tsx` in `execArgv` is ignored there), so a bootstrap module
 * loads the worker through tsx's API instead.
 */
function startWorker(workerData: WorkerData): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./sqlite-worker.js", import.meta.url), { workerData });
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const source = JSON.stringify(new URL("./sqlite-worker.ts", import.meta.url).href);
  const bootstrap = `const { tsImport } = await import(${tsx}); await tsImport(${source}, import.meta.url);`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData });
}

/** Resolves once the worker opened the database; rejects with why it could not. */
function opened(worker: Worker): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      worker.off("message", onMessage).off("error", settle).off("exit", onExit);
      if (error) reject(error);
      else resolve();
    };
    const onMessage = (reply: FromWorker) => settle(reply.type === "open-failed" ? reply.error : undefined);
    const onExit = (code: number) => settle(new Error(`its worker thread exited with code ${code}`));
    worker.on("message", onMessage).on("error", settle).on("exit", onExit);
  });
}

interface Settler {
  resolve(value: StoreOutcome & { ok: true }): void;
  reject(error: Error): void;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Boards in an embedded SQLite database, `<dataDir>/circles.db`, run by a
 * worker thread (`sqlite-worker.ts`) so that its commits never block the
 * event loop.
 *
 * Every call becomes a request to the worker; the calls of one tick travel in
 * one message. The worker runs whatever has reached it as one transaction
 * and answers in one message, in call order, so a resolved promise still
 * means durable (committed with synchronous=FULL), 200 concurrent writes
 * cost one fsync, and promises settle in the order the calls were made,
 * loads included.
 */
export class SqliteStore extends RequestStore {
  readonly #worker: Worker;
  /** Requests of this tick, not yet sent, and the promises they settle. */
  #outbox: StoreRequest[] = [];
  #outboxSettlers: Settler[] = [];
  /** Promises of requests sent, oldest first: the worker answers in that order. */
  readonly #inFlight: Settler[] = [];
  #stats: SqliteStoreStats = { transactions: 0, writes: 0, failedTransactions: 0 };
  #closing: Promise<void> | undefined;
  /** Called when the worker says it committed everything and closed the database. */
  #onWorkerClosed: (() => void) | undefined;
  #workerClosed = false;
  /** Set once the worker stopped without being asked to. */
  #failure: Error | undefined;

  /** Opens the database in a new worker thread; rejects, saying why, if it cannot. */
  static async open({ dataDir, checkNames = true }: SqliteStoreOptions): Promise<SqliteStore> {
    try {
      await fs.mkdir(dataDir, { recursive: true });
    } catch (error) {
      throw new Error(`cannot create the data directory ${dataDir}: ${message(error)}`, { cause: error });
    }
    const file = path.join(dataDir, "circles.db");
    const worker = startWorker({ file });
    try {
      await opened(worker);
    } catch (error) {
      await worker.terminate();
      throw new Error(`cannot open the database ${file}: ${message(error)}`, { cause: error });
    }
    return new SqliteStore(worker, checkNames);
  }

  private constructor(worker: Worker, checkNames: boolean) {
    super({ checkNames });
    this.#worker = worker;
    worker.on("message", (reply: FromWorker) => this.#receive(reply));
    let cause: Error | undefined;
    worker.on("error", (error) => (cause = error));
    worker.on("exit", (code) => {
      if (!this.#workerClosed) this.#fail(cause, code);
    });
    // An idle store must not keep the process alive; a busy one must, until its answers are in.
    worker.unref();
  }

  /** The worker's counters as of its last answer; they only ever grow. */
  get stats(): Readonly<SqliteStoreStats> {
    return { ...this.#stats };
  }

  /** Lets the worker commit every request sent so far, then stops it. */
  close(): Promise<void> {
    this.#closing ??= this.#stop();
    return this.#closing;
  }

  async #stop(): Promise<void> {
    if (this.#failure !== undefined) return;
    this.#send();
    const closed = new Promise<void>((resolve) => {
      this.#onWorkerClosed = resolve;
      // Should it die instead, #fail has settled every promise already.
      this.#worker.once("exit", () => resolve());
    });
    this.#worker.ref();
    this.#post({ type: "close" });
    await closed;
    await this.#worker.terminate();
  }

  /** Not async: the promise settles with its batch, before `close` resolves, not ticks later. */
  protected call<T>(request: StoreRequest, answer: (value: unknown) => T): Promise<T> {
    if (this.#closing !== undefined) return Promise.reject(new Error("store is closed"));
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<T>((resolve, reject) => {
      if (this.#outbox.length === 0) queueMicrotask(() => this.#send());
      this.#outbox.push(request);
      const settle = (outcome: StoreOutcome & { ok: true }) => {
        try {
          resolve(answer(outcome.value));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
      this.#outboxSettlers.push({ resolve: settle, reject });
    });
  }

  /** Sends this tick's requests in one message. */
  #send(): void {
    if (this.#outbox.length === 0 || this.#failure !== undefined) return;
    const requests = this.#outbox;
    const settlers = this.#outboxSettlers;
    this.#outbox = [];
    this.#outboxSettlers = [];
    try {
      this.#post({ type: "requests", requests });
    } catch (error) {
      // Something not cloneable: nothing of it reached the worker.
      for (const settler of settlers) settler.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.#inFlight.length === 0) this.#worker.ref();
    for (const settler of settlers) this.#inFlight.push(settler);
  }

  #post(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  #receive(reply: FromWorker): void {
    if (reply.type === "closed") {
      this.#workerClosed = true;
      this.#onWorkerClosed?.();
      return;
    }
    if (reply.type !== "outcomes") return;
    // First the counters, so that whoever awaits a write sees it counted.
    this.#stats = reply.stats;
    for (const outcome of reply.outcomes) {
      const settler = this.#inFlight.shift();
      if (outcome.ok) settler?.resolve(outcome);
      else settler?.reject(outcome.error);
    }
    if (this.#inFlight.length === 0 && this.#closing === undefined) this.#worker.unref();
  }

  /** Rejects every pending and later call: nothing says whether the worker committed them. */
  #fail(cause: Error | undefined, code: number): void {
    this.#failure = new Error(`the SQLite worker thread stopped unexpectedly (${cause ? message(cause) : `exit code ${code}`})`);
    const pending = [...this.#inFlight.splice(0), ...this.#outboxSettlers.splice(0)];
    this.#outbox = [];
    for (const settler of pending) settler.reject(this.#failure);
  }
}
