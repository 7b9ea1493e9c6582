#!/usr/bin/env node
/**
 * Two nodes of circles on this machine, sharing the local PostgreSQL and
 * Redis, so that a browser on each port shows the same board and player
 * list (`npm run start:cluster`, after `npm run build`):
 *
 *   node 1 on http://localhost:3000, node 2 on http://localhost:3001
 *
 * DATABASE_URL (default: the database `circles` on 127.0.0.1:5432, created
 * when missing) and REDIS_URL (default redis://127.0.0.1:6379) choose
 * others; CLUSTER_PORTS=4000,4001 other ports. Ctrl-C stops both.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const LOCAL_DATABASE = "circles";
const databaseUrl = process.env.DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/${LOCAL_DATABASE}`;
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const ports = (process.env.CLUSTER_PORTS ?? "3000,3001").split(",").map((port) => port.trim());
// Each node as `npm start` runs it: the start script's Node flags and entry point.
const [, ...startArgs] = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).scripts.start.split(" ");

/** @param {string} text */
const say = (text) => process.stdout.write(`${text}\n`);

if (ports.length !== 2 || ports.some((port) => !/^\d+$/.test(port))) {
  say(`start:cluster: CLUSTER_PORTS must be two port numbers, like 3000,3001, not ${JSON.stringify(process.env.CLUSTER_PORTS)}`);
  process.exit(1);
}

/** The default database is made on first use; a DATABASE_URL of one's own must name one that exists. */
async function ensureLocalDatabase() {
  if (process.env.DATABASE_URL !== undefined) return;
  const admin = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/postgres", connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
    const found = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [LOCAL_DATABASE]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${LOCAL_DATABASE}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

try {
  await ensureLocalDatabase();
} catch (error) {
  say(`start:cluster: cannot reach PostgreSQL at 127.0.0.1:5432 (${error instanceof Error ? error.message : String(error)}); set DATABASE_URL`);
  process.exit(1);
}

const nodes = ports.map((port, i) => {
  const child = spawn(process.execPath, startArgs, {
    cwd: root,
    env: { ...process.env, PORT: port, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const label = `[node ${i + 1} :${port}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream.on("data", (chunk) => {
      const lines = (rest + chunk.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) say(label + line);
    });
  }
  return child;
});

let stopping = false;
/** @param {NodeJS.Signals} signal */
const stop = (signal) => {
  stopping = true;
  for (const child of nodes) if (child.exitCode === null) child.kill(signal);
};
process.on("SIGINT", () => stop("SIGTERM"));
process.on("SIGTERM", () => stop("SIGTERM"));
// One node ending ends the other: half a cluster is not what was asked for.
let exited = 0;
for (const child of nodes) {
  child.on("exit", (code) => {
    if (!stopping) stop("SIGTERM");
    if (++exited === nodes.length) process.exit(stopping && code === 0 ? 0 : (code ?? 1));
  });
}
