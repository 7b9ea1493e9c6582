/**
 * `npm run start:cluster`: two nodes on two ports sharing the machine's
 * PostgreSQL (a database of the test's own) and Redis (a key prefix of its
 * own), as someone trying several nodes would start them. Needs `npm run build`.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { afterAll, expect, it, vi } from "vitest";
import { projectRoot } from "../lib/ops/paths.js";
import { createTestDatabase, dropTestDatabases } from "./support/postgres.js";
import { REDIS_URL, removeRedisKeys, testRedisPrefix } from "./support/redis.js";
import { connectClient, type TestClient } from "./support/test-server.js";
import { freePort } from "./support/free-port.js";

const prefix = testRedisPrefix();

afterAll(async () => {
  await dropTestDatabases();
  await removeRedisKeys(prefix);
});

it("starts two nodes on two ports that share a board, and stops both on SIGTERM", async () => {
  const ports = [await freePort(), await freePort()];
  const cluster = spawn(process.execPath, [path.join(projectRoot, "scripts", "start-cluster.js")], {
    cwd: projectRoot,
    env: {
      ...process.env,
      CLUSTER_PORTS: ports.join(","),
      DATABASE_URL: await createTestDatabase(),
      REDIS_URL,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  cluster.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  cluster.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(cluster, "exit");
  const clients: TestClient[] = [];
  try {
    await vi.waitFor(() => expect(output.match(/\[node \d :\d+\] .*listening on/g)).toHaveLength(2), 20_000);
    const [one, two] = [await connectClient(`http://127.0.0.1:${ports[0]}`), await connectClient(`http://127.0.0.1:${ports[1]}`)];
    clients.push(one, two);
    expect(await one.emitWithAck("add-circle", { initials: "AB", x: 1, y: 2, dia: 3, rgba: "#abc" })).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(two.received.some((e) => e.event === "add-circle")).toBe(true));
  } finally {
    for (const socket of clients) socket.disconnect();
    cluster.kill("SIGTERM");
  }
  const [code] = (await exited) as [number | null];
  expect(code).toBe(0);
  expect(output.match(/\[node \d :\d+\] .*"stopped"/g)).toHaveLength(2);
}, 40_000);
