/** The REST API against a real server: its writes reach sockets, and socket writes show in its reads. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Circle, CircleInput } from "../lib/protocol/events.js";
import { nextEvent, startTestServer, type TestServer } from "./support/test-server.js";

const circle: CircleInput = { initials: "RS", x: 10, y: 20, dia: 30, rgba: "rgb(1, 2, 3)" };

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

const api = (path: string, init?: RequestInit) => fetch(`${server.url}/api${path}`, init);
const post = (path: string, body: string) => api(path, { method: "POST", headers: { "content-type": "application/json" }, body });

describe("reads", () => {
  it("shows a board's circles and players, including socket writes", async () => {
    const alice = await server.client({ board: "room-1" });
    await alice.emitWithAck("register-player", "AB");
    const ack = await alice.emitWithAck("add-circle", circle);

    const board = await api("/boards/room-1");
    expect(board.status).toBe(200);
    expect(await board.json()).toEqual({ board: "room-1", seq: 1, circles: [ack.ok && ack.circle], players: ["AB"] });

    const circles = await api("/boards/room-1/circles");
    expect(await circles.json()).toEqual([ack.ok && ack.circle]);
  });

  it("shows an unknown board as empty", async () => {
    expect(await (await api("/boards/nobody-here")).json()).toEqual({ board: "nobody-here", seq: 0, circles: [], players: [] });
  });
});

describe("writes", () => {
  it("stores a posted circle and relays it to the board's sockets", async () => {
    const watcher = await server.client({ board: "room-1" });
    const relayed = nextEvent(watcher, "add-circle");

    const response = await post("/boards/room-1/circles", JSON.stringify(circle));
    expect(response.status).toBe(201);
    const { seq, ...stored } = (await response.json()) as Circle & { seq: number };
    expect(stored).toMatchObject(circle);
    expect(seq).toBe(1);
    expect((await relayed)[0]).toEqual(stored);
    expect(await server.storedCircles("room-1")).toEqual([stored]);
  });

  it("clears a board for its sockets", async () => {
    const watcher = await server.client({ board: "room-1" });
    await post("/boards/room-1/circles", JSON.stringify(circle));
    const cleared = nextEvent(watcher, "clear-circles");

    const response = await api("/boards/room-1/circles", { method: "DELETE" });
    expect(response.status).toBe(204);
    await cleared;
    expect(await server.storedCircles("room-1")).toEqual([]);
  });
});

describe("errors", () => {
  it("answers invalid JSON with 400", async () => {
    const response = await post("/boards/b/circles", "{not json");
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid JSON", code: "invalid" });
  });

  it("answers other refusals of the body parser with their status and no internal detail", async () => {
    const response = await api("/boards/b/circles", {
      method: "POST",
      headers: { "content-type": "application/json; charset=koi8-r" },
      body: JSON.stringify(circle),
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: "bad request", code: "invalid" });
  });

  it("answers an invalid circle with 400 and the reason, storing nothing", async () => {
    const response = await post("/boards/b/circles", JSON.stringify({ ...circle, dia: 9000 }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/dia/), code: "invalid" });
    expect(await server.storedCircles("b")).toEqual([]);
  });

  it("answers a body over the size limit with 413", async () => {
    const response = await post("/boards/b/circles", JSON.stringify({ ...circle, rgba: "x".repeat(10_000) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: "request body too large", code: "invalid" });
  });

  it("answers unknown routes and bad board names with a JSON 404", async () => {
    for (const path of ["/nothing", "/boards/no%20such/circles", "/boards/b/squares"]) {
      const response = await api(path);
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toEqual({ error: expect.any(String), code: expect.any(String) });
    }
  });

  it("answers 429 past the rate limit", async () => {
    await server.close();
    server = await startTestServer({ config: { rateLimit: { perSecond: 2, burst: 3 } } });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post("/boards/b/circles", JSON.stringify(circle))).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    expect(await server.storedCircles("b")).toHaveLength(3);
  });
});

describe("pages", () => {
  it("serves the default board at / and named boards at /b/<name>", async () => {
    for (const [path, board] of [
      ["/", "default"],
      ["/b/my-board_2", "my-board_2"],
    ] as const) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/text\/html/);
      expect(await response.text()).toContain(`data-board="${board}"`);
    }
  });

  it("answers a bad board name or unknown page with the 404 page", async () => {
    for (const path of ["/b/Bad%20Name", `/b/${"x".repeat(41)}`, "/nowhere"]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/text\/html/);
    }
  });
});
