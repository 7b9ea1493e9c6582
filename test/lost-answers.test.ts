/**
 * A write whose answer never arrived, sent again, is stored once. Real
 * socket.io clients reach a real server through a TCP proxy of the test
 * (`support/tcp-proxy.ts`) that drops the server's answers and resets the
 * connections mid-write; the server is killed with SIGKILL between the
 * commit and the answer; two real nodes on PostgreSQL and Redis are given
 * the same id at once.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import type { Ack, Circle, CircleInput } from "../lib/protocol/events.js";
import { startServerProcess, type ServerProcess } from "./support/server-process.js";
import { seenBoard } from "./support/seen-board.js";
import { startSharedNodes } from "./support/shared-nodes.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";
import { connectClient, startTestServer, type TestClient, type TestServer } from "./support/test-server.js";

const input: CircleInput = { initials: "AB", x: 100, y: 200, dia: 50, rgba: "rgba(10, 20, 30, 0.5)" };
type Added = Ack<{ circle: Circle; seq: number }>;

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

/** A proxy in front of `url`'s port. */
async function proxyTo(url: string): Promise<TcpProxy & { url: string }> {
  const proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(url).port) });
  opened.push(proxy);
  return Object.assign(proxy, { url: `http://127.0.0.1:${proxy.port}` });
}

/** A client through `url`, closed after the test. */
async function client(url: string, board: string, protocol?: 2): Promise<TestClient> {
  const socket = await connectClient(url, { board, ...(protocol ? { protocol } : {}) });
  opened.push({ close: () => socket.disconnect() });
  return socket;
}

/** Sends, expecting no answer: the proxy drops it. Resolves once the ack's wait times out. */
async function sendUnanswered(socket: TestClient, event: "add-circle" | "clear-circles", payload: object): Promise<void> {
  await expect(socket.timeout(500).emitWithAck(event as "add-circle", payload as CircleInput)).rejects.toThrow();
}

describe("an answer lost on its way back", () => {
  let server: TestServer;
  afterEach(async () => server.close());

  it("a circle sent again after its answer was dropped and its connection reset is stored and relayed once", async () => {
    server = await startTestServer();
    const proxy = await proxyTo(server.url);
    const watcher = await client(server.url, "lost", 2);
    const lesson = await client(server.url, "lost");
    const tapper = await client(proxy.url, "lost", 2);
    const id = randomUUID();
    proxy.dropReplies();
    await sendUnanswered(tapper, "add-circle", { ...input, id });
    // It was done: only its answer was lost.
    await vi.waitFor(async () => expect((await server.storedCircles("lost")).map((circle) => circle.id)).toEqual([id]), 5_000);
    proxy.reset();
    proxy.restore();
    const again = await client(proxy.url, "lost", 2);
    expect(await again.emitWithAck("add-circle", { ...input, id })).toMatchObject({ ok: true, seq: 1, circle: { id } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seenBoard(watcher)).toEqual({ seq: 1, ids: [id], doubled: [] });
    expect(seenBoard(lesson).ids).toEqual([id]);
    expect(lesson.received.filter((e) => e.event === "add-circle")).toHaveLength(1);
  });

  it("a clear sent again after its answer was lost does not wipe what was drawn since", async () => {
    server = await startTestServer();
    const proxy = await proxyTo(server.url);
    const other = await client(server.url, "lost-clear", 2);
    const clearer = await client(proxy.url, "lost-clear", 2);
    await other.emitWithAck("add-circle", input);
    const op = randomUUID();
    proxy.dropReplies();
    await sendUnanswered(clearer, "clear-circles", { op });
    await vi.waitFor(async () => expect(await server.storedCircles("lost-clear")).toEqual([]), 5_000);
    const later = (await other.emitWithAck("add-circle", { ...input, id: randomUUID() })) as Added;
    proxy.restore();
    const again = await client(proxy.url, "lost-clear", 2);
    expect(await again.emitWithAck("clear-circles", { op })).toEqual({ ok: true, seq: 2 });
    expect((await server.storedCircles("lost-clear")).map((circle) => circle.id)).toEqual([later.ok && later.circle.id]);
  });
});

describe("a server killed between the commit and the answer", () => {
  let dataDir: string;
  let node: ServerProcess | undefined;
  afterAll(async () => {
    await node?.stop("SIGKILL");
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("answers the circle sent again to the restarted server with the first seq, storing it once", async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "circles-lost-"));
    node = await startServerProcess({ env: { DATA_DIR: dataDir } });
    const proxy = await proxyTo(node.url);
    const tapper = await client(proxy.url, "killed", 2);
    await tapper.emitWithAck("add-circle", input);
    const id = randomUUID();
    proxy.dropReplies();
    await sendUnanswered(tapper, "add-circle", { ...input, id });
    // Committed to the file, and never answered: now the process dies at once.
    const file = path.join(dataDir, "circles.db");
    await vi.waitFor(() => {
      const db = new Database(file, { readonly: true });
      try {
        expect(db.prepare("SELECT count(*) AS n FROM circles WHERE id = ?").get(id)).toEqual({ n: 1 });
      } finally {
        db.close();
      }
    }, 5_000);
    expect(await node.stop("SIGKILL")).toBeNull();
    node = await startServerProcess({ env: { DATA_DIR: dataDir } });
    const again = await client(node.url, "killed", 2);
    expect(await again.emitWithAck("add-circle", { ...input, id })).toMatchObject({ ok: true, seq: 2, circle: { id } });
    expect(seenBoard(again)).toMatchObject({ seq: 2, doubled: [] });
    expect((await again.emitWithAck("add-circle", { ...input, id: randomUUID() })) as Added).toMatchObject({ ok: true, seq: 3 });
  }, 60_000);
});

describe("two nodes given the same id at once", () => {
  const { nodes, client: nodeClient } = startSharedNodes(2);

  it("store it once, and both answer with its seq; every client on both has it once", async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const [onA, onB] = [await nodeClient(a, { board: "same-id", protocol: 2 }), await nodeClient(b, { board: "same-id", protocol: 2 })];
    const lessonOnB = await nodeClient(b, { board: "same-id" });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const id = randomUUID();
      ids.push(id);
      const circle = { ...input, x: i, id };
      const [fromA, fromB] = (await Promise.all([onA.emitWithAck("add-circle", circle), onB.emitWithAck("add-circle", circle)])) as [Added, Added];
      expect(fromA).toMatchObject({ ok: true, circle: { id } });
      expect(fromB).toEqual(fromA);
    }
    for (const socket of [onA, onB, lessonOnB]) {
      await vi.waitFor(() => expect(seenBoard(socket).ids).toEqual(ids), 5_000);
      expect(seenBoard(socket).doubled).toEqual([]);
    }
    expect(seenBoard(onA).seq).toBe(30);
  }, 60_000);
});
