/**
 * BOARD_RETENTION_DAYS: every so often (a tenth of the retention, at most an
 * hour) the boards people are on here are marked used, then every board
 * unused for the whole retention is deleted, as its host would delete it.
 * Every node sweeps; a board someone is on anywhere is marked by that
 * node well within the retention, so it never goes.
 */
import type { BoardService } from "./board-service.js";
import { sweepIntervalMs } from "./room-rules.js";

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionSweepOptions {
  retentionDays: number;
  boards: Pick<BoardService, "sweep">;
  /** The boards with someone on them on this node. */
  inUse: () => Iterable<string>;
  onSwept?: (boards: string[]) => void;
  onError: (error: unknown) => void;
  now?: () => number;
}

/** Starts the sweep; with a retention of 0 (keep for ever) nothing runs. Returns what stops it. */
export function startRetentionSweep({ retentionDays, boards, inUse, onSwept, onError, now = Date.now }: RetentionSweepOptions): () => void {
  if (retentionDays === 0) return () => {};
  const retentionMs = retentionDays * DAY_MS;
  let sweeping = false;
  const timer = setInterval(() => {
    // A sweep slower than the interval is not stacked on.
    if (sweeping) return;
    sweeping = true;
    boards
      .sweep(now() - retentionMs, [...inUse()])
      .then((gone) => {
        if (gone.length > 0) onSwept?.(gone);
      }, onError)
      .finally(() => {
        sweeping = false;
      });
  }, sweepIntervalMs(retentionMs));
  timer.unref();
  return () => clearInterval(timer);
}
