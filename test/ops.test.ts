/**
 * What operators see, against a real server: the health and readiness
 * probes, the Prometheus metrics, and the log lines of a real pino logger
 * read back from an in-memory stream.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { io as connect } from "socket.io-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CircleInput } from "../lib/protocol/events.js";
import { createLogger } from "../lib/ops/logger.js";
import { SqliteStore } from "../lib/store/sqlite-store.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const circle: CircleInput = { initials: "OP", x: 10, y: 20, dia: 30, rgba: "rgb(1, 2, 3)" };

const servers: TestServer[] = [];
const start = async (options?: Parameters<typeof startTestServer>[0]) => {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
};
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const postCircle = (server: TestServer, body: string, board = "room-1") =>
  fetch(`${server.url}/api/boards/${board}/circles`, { method: "POST", headers: { "content-type": "application/json" }, body });

/** Every sample of a scrape, as name, labels and value. */
function parseSamples(text: string) {
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries(Array.from((match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g), (m) => [m[1], m[2]]));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

async function scrape(server: TestServer) {
  const response = await fetch(`${server.url}/metrics`);
  expect(response.status).toBe(200);
  const samples = parseSamples(await response.text());
  /** The value of the series with exactly these labels; undefined when there is none. */
  const value = (name: string, labels: Record<string, string> = {}) =>
    samples.find(
      (s) =>
        s.name === name &&
        Object.keys(s.labels).length === Object.keys(labels).length &&
        Object.entries(labels).every(([key, wanted]) => s.labels[key] === wanted),
    )?.value;
  return { samples, value };
}

describe("/healthz", () => {
  it("answers 200 ok, uncached", async () => {
    const server = await start();
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ status: "ok" });
  });
});

describe("/readyz", () => {
  it("is ready while the store answers, and 503 with the reason once it is closed", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "circles-ops-"));
    try {
      const store = await SqliteStore.open({ dataDir });
      const server = await start({ store });

      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: "ready" });

      await store.close();
      const unavailable = await fetch(`${server.url}/readyz`);
      expect(unavailable.status).toBe(503);
      expect(unavailable.headers.get("cache-control")).toBe("no-store");
      expect(await unavailable.json()).toEqual({ status: "unavailable", reason: "store: store is closed" });
    } finally {
      await Promise.all(servers.splice(0).map((server) => server.close()));
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("/metrics", () => {
  it("is Prometheus text with the process's default metrics, event-loop lag included", async () => {
    const server = await start();
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \S+$/m);
    expect(text).toMatch(/^# TYPE circles_broadcast_fanout_seconds histogram$/m);
  });

  it("counts connected sockets, registered players and boards in use when scraped", async () => {
    const server = await start();
    let metrics = await scrape(server);
    expect(metrics.value("circles_connected_sockets")).toBe(0);
    expect(metrics.value("circles_registered_players")).toBe(0);
    expect(metrics.value("circles_boards_with_sockets")).toBe(0);

    const alice = await server.client({ board: "room-1" });
    const bob = await server.client({ board: "room-1" });
    await alice.emitWithAck("register-player", "AB");

    metrics = await scrape(server);
    expect(metrics.value("circles_connected_sockets")).toBe(2);
    expect(metrics.value("circles_registered_players")).toBe(1);
    expect(metrics.value("circles_boards_with_sockets")).toBe(1);

    alice.disconnect();
    bob.disconnect();
    await vi.waitFor(async () => expect((await scrape(server)).value("circles_connected_sockets")).toBe(0));
    metrics = await scrape(server);
    expect(metrics.value("circles_registered_players")).toBe(0);
    expect(metrics.value("circles_boards_with_sockets")).toBe(0);
  });

  it("counts socket writes, rejections by event and reason, and broadcast fan-outs", async () => {
    // One write a second per sender, no burst: a sender's second write is refused.
    const server = await start({ config: { rateLimit: { perSecond: 1, burst: 1 } } });
    const alice = await server.client({ board: "room-1" });
    const bob = await server.client({ board: "room-1" });
    const before = await scrape(server);
    expect(before.value("circles_broadcast_fanout_seconds_count", { event: "lesson-events" })).toBeUndefined();

    expect(await alice.emitWithAck("add-circle", circle)).toMatchObject({ ok: true });
    expect(await bob.emitWithAck("clear-circles")).toMatchObject({ ok: true });
    expect(await alice.emitWithAck("add-circle", { ...circle, dia: -5 })).toMatchObject({ ok: false });
    expect(await alice.emitWithAck("add-circle", circle)).toEqual({ ok: false, error: "rate limited", code: "rate-limited" });

    const after = await scrape(server);
    expect(after.value("circles_circles_relayed_total")).toBe(1);
    expect(after.value("circles_clears_total")).toBe(1);
    const rejections = after.samples.filter((s) => s.name === "circles_rejected_payloads_total");
    expect(rejections).toEqual(
      expect.arrayContaining([
        { name: "circles_rejected_payloads_total", labels: { event: "add-circle", reason: "invalid" }, value: 1 },
        { name: "circles_rejected_payloads_total", labels: { event: "add-circle", reason: "rate-limited" }, value: 1 },
      ]),
    );
    expect(rejections).toHaveLength(2);
    expect(after.samples.filter((s) => s.name === "circles_rate_limited_events_total")).toEqual([
      { name: "circles_rate_limited_events_total", labels: { event: "add-circle" }, value: 1 },
    ]);
    // The circle and the clear were stored in turns of their own: one lesson relay each.
    expect(after.value("circles_broadcast_fanout_seconds_count", { event: "lesson-events" })).toBe(2);
    expect(after.value("circles_broadcast_fanout_seconds_sum", { event: "lesson-events" })).toBeGreaterThan(0);
  });

  it("counts REST writes and rejections under the same names", async () => {
    const server = await start({ config: { rateLimit: { perSecond: 1, burst: 1 } } });
    expect((await postCircle(server, JSON.stringify({ ...circle, dia: 9000 }))).status).toBe(400);
    expect((await postCircle(server, "{not json")).status).toBe(400);
    expect((await postCircle(server, JSON.stringify({ ...circle, rgba: "x".repeat(10_000) }))).status).toBe(413);
    expect((await postCircle(server, JSON.stringify(circle))).status).toBe(201);
    expect((await postCircle(server, JSON.stringify(circle))).status).toBe(429);
    expect((await fetch(`${server.url}/api/boards/room-1/circles`, { method: "DELETE" })).status).toBe(429);

    const metrics = await scrape(server);
    expect(metrics.value("circles_circles_relayed_total")).toBe(1);
    expect(metrics.value("circles_rejected_payloads_total", { event: "add-circle", reason: "invalid" })).toBe(2);
    expect(metrics.value("circles_rejected_payloads_total", { event: "add-circle", reason: "too-large" })).toBe(1);
    expect(metrics.value("circles_rejected_payloads_total", { event: "add-circle", reason: "rate-limited" })).toBe(1);
    expect(metrics.value("circles_rejected_payloads_total", { event: "clear-circles", reason: "rate-limited" })).toBe(1);
    expect(metrics.value("circles_rate_limited_events_total", { event: "add-circle" })).toBe(1);
    expect(metrics.value("circles_rate_limited_events_total", { event: "clear-circles" })).toBe(1);
  });

  it("labels flood drops by known event only, whatever names a client makes up", async () => {
    // The guard allows 20 events a second (its floor) and cuts off after 2 × burst = 4 more.
    const server = await start({ config: { rateLimit: { perSecond: 1, burst: 2 } } });
    const flooder = await server.client();
    const raw = flooder as unknown as { emit(event: string, ...args: unknown[]): void };
    const cutOff = new Promise((resolve) => flooder.once("disconnect", resolve));
    for (let i = 0; i < 40; i++) raw.emit(i % 2 ? `made-up-${i}` : "add-circle", circle);
    await cutOff;

    const metrics = await scrape(server);
    const flood = metrics.samples.filter((s) => s.name === "circles_rejected_payloads_total" && s.labels["reason"] === "flood");
    expect(flood.map((s) => s.labels["event"]).sort()).toEqual(["add-circle", "unknown"]);
    expect(flood.reduce((sum, s) => sum + s.value, 0)).toBe(4);
    expect(metrics.value("circles_rate_limited_events_total", { event: "unknown" })).toBeUndefined();
  });

  it("keeps each server's metrics apart when several run in one process", async () => {
    const first = await start();
    const second = await start();
    await first.client();
    await postCircle(first, JSON.stringify(circle));

    const [a, b] = await Promise.all([scrape(first), scrape(second)]);
    expect(a.value("circles_connected_sockets")).toBe(1);
    expect(a.value("circles_circles_relayed_total")).toBe(1);
    expect(b.value("circles_connected_sockets")).toBe(0);
    expect(b.value("circles_circles_relayed_total")).toBe(0);
    expect(b.value("nodejs_eventloop_lag_seconds")).toEqual(expect.any(Number));
  });
});

describe("logs", () => {
  /** A real pino logger (the app's own settings) whose lines land in `entries`. */
  function memoryLogger() {
    const entries: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString("utf8").split("\n")) if (line) entries.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    return { logger: createLogger("info", sink), entries };
  }

  it("writes one line per connection, rejected payload, disconnection and API request", async () => {
    const { logger, entries } = memoryLogger();
    const server = await start({ logger });
    const withMessage = (msg: string) => entries.filter((entry) => entry["msg"] === msg);

    const alice = await server.client({ board: "room-1" });
    const socket = alice.id;
    await alice.emitWithAck("add-circle", { ...circle, dia: -5 });
    expect((await postCircle(server, JSON.stringify(circle))).status).toBe(201);
    for (const probe of ["/healthz", "/readyz", "/metrics"]) await fetch(`${server.url}${probe}`);
    alice.disconnect();
    await vi.waitFor(() => expect(withMessage("disconnected")).toHaveLength(1));

    expect(withMessage("connected")).toEqual([expect.objectContaining({ level: 30, service: "circles", board: "room-1", socket })]);
    expect(withMessage("rejected payload")).toEqual([
      expect.objectContaining({ board: "room-1", socket, event: "add-circle", reason: "invalid", error: expect.stringMatching(/dia/) }),
    ]);
    expect(withMessage("disconnected")).toEqual([expect.objectContaining({ board: "room-1", socket, reason: "client namespace disconnect" })]);

    // One request line, for the API call only: probes, scrapes and the socket's transport are not logged.
    const requests = withMessage("request completed");
    expect(requests).toEqual([
      expect.objectContaining({
        req: { id: expect.anything(), method: "POST", url: "/api/boards/room-1/circles", ip: expect.any(String) },
        res: { statusCode: 201 },
        responseTime: expect.any(Number),
      }),
    ]);
    // No body, no headers (cookies).
    expect(JSON.stringify(requests)).not.toContain(circle.rgba);
    expect(JSON.stringify(requests)).not.toContain("headers");
  });

  it("logs a refused connection and a store failure, with the board and socket", async () => {
    const { logger, entries } = memoryLogger();
    const server = await start({ logger });
    const withMessage = (msg: string) => entries.filter((entry) => entry["msg"] === msg);

    await expect(server.client({ board: "Not A Board!" })).rejects.toThrow();
    expect(withMessage("rejected connection")).toEqual([expect.objectContaining({ socket: expect.any(String), error: expect.any(String) })]);
    const foreign = connect(server.url, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      extraHeaders: { origin: "https://evil.example" },
    });
    await new Promise((resolve) => foreign.once("connect_error", resolve));
    foreign.disconnect();
    expect(withMessage("rejected connection")).toEqual([
      expect.objectContaining({ socket: expect.any(String) }),
      expect.objectContaining({ origin: "https://evil.example", error: expect.any(String) }),
    ]);

    const alice = await server.client({ board: "room-1" });
    await server.store.close();
    expect(await alice.emitWithAck("add-circle", circle)).toMatchObject({ ok: false });
    expect(withMessage("store write failed")).toEqual([
      expect.objectContaining({ level: 50, board: "room-1", err: expect.objectContaining({ message: "store is closed" }) }),
    ]);
    expect(withMessage("rejected payload")).toEqual([
      expect.objectContaining({ board: "room-1", socket: alice.id, event: "add-circle", reason: "unavailable" }),
    ]);
  });
});
