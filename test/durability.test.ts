/**
 * "Acknowledged means durable", checked against the real server process and
 * the real SQLite file: every circle acknowledged before a SIGTERM or a
 * `kill -9` is there after a restart. Needs `npm run build`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { io as connect } from "socket.io-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Circle } from "../lib/protocol/events.js";
import { startServerProcess, type ServerProcess } from "./support/server-process.js";

let dataDir: string;
let running: ServerProcess | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "circles-durability-"));
});
afterEach(async () => {
  await running?.stop("SIGKILL");
  running = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

const start = async () => {
  running = await startServerProcess({ env: { DATA_DIR: dataDir } });
  return running;
};

/** Sends `count` circles at once from several sockets; resolves with the acknowledged ones. */
async function burst(url: string, count: number): Promise<Circle[]> {
  const sockets = Array.from({ length: 4 }, () => connect(url, { transports: ["websocket"], forceNew: true }));
  try {
    const acks = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        sockets[i % sockets.length]!.emitWithAck("add-circle", {
          initials: "DB",
          x: i % 1920,
          y: i % 1080,
          dia: 10,
          rgba: "#123456",
        }),
      ),
    );
    return acks.filter((ack): ack is { ok: true; circle: Circle } => ack.ok).map((ack) => ack.circle);
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
}

const storedIds = async (url: string) => new Set(((await (await fetch(`${url}/api/boards/default/circles`)).json()) as Circle[]).map((c) => c.id));

describe.each(["SIGTERM", "SIGKILL"] as const)("after %s", (signal) => {
  it("keeps every acknowledged circle across a restart", async () => {
    const first = await start();
    const acknowledged = await burst(first.url, 150);
    expect(acknowledged).toHaveLength(150);
    // The signal comes the instant the last acknowledgement arrives.
    await first.stop(signal);

    const second = await start();
    const stored = await storedIds(second.url);
    for (const circle of acknowledged) expect(stored.has(circle.id), circle.id).toBe(true);

    // And a clear is durable too.
    const cleared = await fetch(`${second.url}/api/boards/default/circles`, { method: "DELETE" });
    expect(cleared.status).toBe(204);
    await second.stop(signal);
    const third = await start();
    expect((await storedIds(third.url)).size).toBe(0);
  });
});
