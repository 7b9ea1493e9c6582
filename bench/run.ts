/* eslint-disable no-console */
/**
 * Builds the app (the benchmarks start the compiled server, as `npm start`
 * does), then runs every benchmark, one after another, each in its own Node
 * process under tsx, streaming their output; exits non-zero if the build or
 * any of them failed or overran its time.
 * Run: npm run bench (or npx tsx bench/run.ts)
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

/** Each stops by itself (fanout.ts in about ten minutes); the limit only ends a stuck one. */
const BENCHMARKS: { file: string; limitMs: number }[] = [
  { file: "bench/sqlite-store.ts", limitMs: 120_000 },
  { file: "bench/write-names.ts", limitMs: 180_000 },
  { file: "bench/fanout.ts", limitMs: 1_200_000 },
  { file: "bench/flood.ts", limitMs: 120_000 },
  { file: "bench/browser.ts", limitMs: 300_000 },
];

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function run(command: string, args: string[], limitMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit" });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, limitMs);
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

console.log("=== npm run build");
const build = await run("npm", ["run", "build"], 300_000);
if (build.code !== 0) {
  console.log("FAIL  npm run build: the benchmarks need the compiled server");
  process.exit(1);
}

const results: { file: string; ok: boolean; seconds: number; note: string }[] = [];
for (const { file, limitMs } of BENCHMARKS) {
  console.log(`\n=== ${file}`);
  const start = performance.now();
  const { code, signal, timedOut } = await run(process.execPath, ["--import", "tsx", file], limitMs);
  const seconds = (performance.now() - start) / 1000;
  const ok = code === 0;
  const note = timedOut ? `killed after ${limitMs / 1000} s` : signal !== null ? `ended by ${signal}` : `exit code ${code}`;
  results.push({ file, ok, seconds, note });
}

console.log("\n=== summary");
for (const r of results) {
  console.log(`${r.ok ? "PASS" : "FAIL"}  ${r.file.padEnd(24)} ${r.seconds.toFixed(1).padStart(5)} s  ${r.ok ? "" : r.note}`);
}
const failed = results.filter((r) => !r.ok).length;
console.log(failed === 0 ? "all benchmarks passed" : `${failed} of ${results.length} benchmarks failed`);
if (failed > 0) process.exitCode = 1;
