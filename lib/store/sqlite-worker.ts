/**
 * The worker thread behind SqliteStore. It owns the database, so that each
 * commit's fsync blocks this thread, never the server's event loop.
 *
 * Group commit: requests are queued as they arrive; one `setImmediate`
 * later, everything queued meanwhile runs as one batch (one transaction, one
 * fsync), and the outcomes go back in one message, in arrival order. While a
 * batch commits, the next requests wait in the port and form the next batch.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { StoreRequest } from "./request-store.js";
import { BoardDatabase, type SqliteStoreStats, type StoreOutcome } from "./sqlite-database.js";

export interface WorkerData {
  file: string;
}

export type ToWorker = { type: "requests"; requests: StoreRequest[] } | { type: "close" };

export type FromWorker =
  | { type: "ready" }
  | { type: "open-failed"; error: Error }
  | { type: "outcomes"; outcomes: StoreOutcome[]; stats: SqliteStoreStats }
  | { type: "closed" };

const port = parentPort;
if (port === null) throw new Error("sqlite-worker runs only as SqliteStore's worker thread");
const post = (message: FromWorker) => port.postMessage(message);

/** Only the standard error classes survive postMessage as errors (a SqliteError arrives as a plain object). */
const cloneable = (error: unknown): Error =>
  error instanceof RangeError ? new RangeError(error.message) : new Error(error instanceof Error ? error.message : String(error));

let db: BoardDatabase | undefined;
try {
  db = BoardDatabase.open((workerData as WorkerData).file);
  post({ type: "ready" });
} catch (error) {
  post({ type: "open-failed", error: cloneable(error) });
}

if (db !== undefined) {
  const database = db;
  let queue: StoreRequest[] = [];
  let timer: NodeJS.Immediate | undefined;

  const runQueued = () => {
    clearImmediate(timer);
    timer = undefined;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    const outcomes = database.run(batch).map((outcome) => (outcome.ok ? outcome : { ok: false as const, error: cloneable(outcome.error) }));
    post({ type: "outcomes", outcomes, stats: database.stats });
  };

  port.on("message", (message: ToWorker) => {
    if (message.type === "requests") {
      for (const request of message.requests) queue.push(request);
      timer ??= setImmediate(runQueued);
    } else {
      // Every request sent before the close arrived before it: commit them, then stop.
      runQueued();
      database.close();
      post({ type: "closed" });
    }
  });
}
