/**
 * Small helpers the benchmarks share: percentiles (of a list, or of a
 * histogram when there are millions of values), number formatting and the
 * PASS/FAIL verdict line (which also sets a failing exit code).
 */
/* eslint-disable no-console */
import os from "node:os";

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array; NaN when it is empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(rank, 1)) - 1] ?? Number.NaN;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, v) => total + v, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  };
}

/** Latencies in 0.1 ms buckets up to a minute (the last bucket takes anything longer). */
export class Histogram {
  static readonly RESOLUTION_MS = 0.1;
  readonly #buckets = new Uint32Array(600_000);
  #n = 0;
  #max = 0;
  #sum = 0;

  add(valueMs: number): void {
    const bucket = Math.min(Math.max(Math.floor(valueMs / Histogram.RESOLUTION_MS), 0), this.#buckets.length - 1);
    this.#buckets[bucket] = (this.#buckets[bucket] ?? 0) + 1;
    this.#n++;
    this.#sum += valueMs;
    if (valueMs > this.#max) this.#max = valueMs;
  }

  /** Nearest rank, as `percentile`, to the upper edge of its bucket. */
  #percentile(p: number): number {
    if (this.#n === 0) return Number.NaN;
    const rank = Math.max(Math.ceil((p / 100) * this.#n), 1);
    let seen = 0;
    for (let i = 0; i < this.#buckets.length; i++) {
      seen += this.#buckets[i] ?? 0;
      if (seen >= rank) return Math.min((i + 1) * Histogram.RESOLUTION_MS, this.#max);
    }
    return this.#max;
  }

  summary(): Summary {
    return {
      n: this.#n,
      p50: this.#percentile(50),
      p95: this.#percentile(95),
      p99: this.#percentile(99),
      max: this.#n === 0 ? Number.NaN : this.#max,
      mean: this.#n === 0 ? Number.NaN : this.#sum / this.#n,
    };
  }
}

export const ms = (value: number, digits = 1) => `${value.toFixed(digits)} ms`;

/** "n=200  p50 3.1 ms  p95 ...". */
export function describe(s: Summary): string {
  return `n=${s.n}  p50 ${ms(s.p50)}  p95 ${ms(s.p95)}  p99 ${ms(s.p99)}  max ${ms(s.max)}`;
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Prints `verdict: PASS: ...` or `verdict: FAIL: ...`; a failure sets exit code 1. */
export function verdict(passed: boolean, text: string): boolean {
  console.log(`verdict: ${passed ? "PASS" : "FAIL"}: ${text}`);
  if (!passed) process.exitCode = 1;
  return passed;
}

/**
 * A warning when other processes were keeping the machine busy, which makes
 * latency and throughput figures look worse than the server is: read it
 * before trusting a FAIL. Empty when the machine looked quiet.
 */
export function busyMachineWarning(): string {
  const [load = 0] = os.loadavg();
  const cores = os.cpus().length;
  // This benchmark itself keeps a core or so busy, and the average lags: warn only well above that.
  return load > 1.5 * cores
    ? `warning: the machine is busy (1-minute load average ${load.toFixed(1)} on ${cores} cores): other ` +
        "processes may have taken CPU from this run, making its latency and throughput figures pessimistic"
    : "";
}
