/* eslint-disable no-console */
/**
 * Runs every benchmark, one after another, each in its own Node process
 * (under tsx, with --expose-gc for the memory figures), streaming their
 * output; exits non-zero if any of them failed or overran its time.
 * Run: npm run bench (or npx tsx bench/run.ts)
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const BENCHMARKS = ["bench/sqlite-store.ts", "bench/fanout.ts", "bench/flood.ts"];
/** Each one stops by itself well within a minute; this only ends a stuck one. */
const TIME_LIMIT_MS = 120_000;

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function run(file: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", file], { cwd: root, stdio: "inherit" });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, TIME_LIMIT_MS);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut });
    });
  });
}

const results: { file: string; ok: boolean; seconds: number; note: string }[] = [];
for (const file of BENCHMARKS) {
  console.log(`\n=== ${file}`);
  const start = performance.now();
  const { code, signal, timedOut } = await run(file);
  const seconds = (performance.now() - start) / 1000;
  const ok = code === 0;
  const note = timedOut ? `killed after ${TIME_LIMIT_MS / 1000} s` : signal !== null ? `ended by ${signal}` : `exit code ${code}`;
  results.push({ file, ok, seconds, note });
}

console.log("\n=== summary");
for (const r of results) {
  console.log(`${r.ok ? "PASS" : "FAIL"}  ${r.file.padEnd(24)} ${r.seconds.toFixed(1).padStart(5)} s  ${r.ok ? "" : r.note}`);
}
const failed = results.filter((r) => !r.ok).length;
console.log(failed === 0 ? "all benchmarks passed" : `${failed} of ${results.length} benchmarks failed`);
if (failed > 0) process.exitCode = 1;
