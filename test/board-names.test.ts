/**
 * Boards people can share out loud, on a real server: names are
 * case-insensitive everywhere (pages, sockets, REST), and the page carries a
 * QR code of the board's absolute link.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { BoardSnapshot, Circle, CircleInput } from "../lib/protocol/events.js";
import { rawRequest } from "./support/raw-http.js";
import { nextEvent, startTestServer, type TestServer } from "./support/test-server.js";

const circle = (initials: string, x: number): CircleInput => ({ initials, x, y: 200, dia: 50, rgba: "#336699" });

let server: TestServer;
afterEach(async () => {
  await server.close();
});

describe("board names are case-insensitive", () => {
  it("puts sockets that say board=Math101 and board=math101 on one board: math101", async () => {
    server = await startTestServer();
    const upper = await server.client({ board: "Math101" });
    const lower = await server.client({ board: "math101" });
    for (const socket of [upper, lower]) {
      expect((socket.received[0]?.args[0] as BoardSnapshot).board).toBe("math101");
    }

    const fromLower = nextEvent(lower, "add-circle");
    const upperAck = await upper.emitWithAck("add-circle", circle("UP", 100));
    const [seenByLower] = await fromLower;
    expect(upperAck.ok && seenByLower).toEqual(upperAck.ok && upperAck.circle);

    const fromUpper = nextEvent(upper, "add-circle");
    const lowerAck = await lower.emitWithAck("add-circle", circle("LO", 200));
    const [seenByUpper] = await fromUpper;
    expect(lowerAck.ok && seenByUpper).toEqual(lowerAck.ok && lowerAck.circle);

    const listed = nextEvent(lower, "update-player-list");
    await upper.emitWithAck("register-player", "UP");
    expect((await listed)[0]).toEqual(["UP"]);

    expect((await server.storedCircles("math101")).map((c) => c.initials)).toEqual(["UP", "LO"]);
    expect(await server.storedCircles("Math101")).toEqual([]);
  });

  it("lands the REST API's board parameter on the same board", async () => {
    server = await startTestServer();
    const lower = await server.client({ board: "math101" });
    const relayed = nextEvent(lower, "add-circle");
    const response = await fetch(`${server.url}/api/boards/MATH101/circles`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(circle("RS", 300)),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("location")).toBe("/api/boards/math101/circles");
    const created = (await response.json()) as Circle;
    expect((await relayed)[0]).toMatchObject({ id: created.id });

    const read = await fetch(`${server.url}/api/boards/Math101`);
    expect(await read.json()).toMatchObject({ board: "math101", circles: [{ id: created.id }] });
  });

  it("redirects a page in another case to the lowercase one for good, keeping the query", async () => {
    server = await startTestServer();
    for (const [path, location] of [
      ["/b/Math101", "/b/math101"],
      ["/b/Math101?since=3&x=%20y", "/b/math101?since=3&x=%20y"],
      ["/b/Math101/", "/b/math101"],
      ["/b/DEFAULT", "/b/default"],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { redirect: "manual" });
      expect(response.status, path).toBe(308);
      expect(response.headers.get("location"), path).toBe(location);
    }
    const page = await fetch(`${server.url}/b/Math101`);
    expect(page.url).toBe(`${server.url}/b/math101`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-board="math101"');
  });
});

describe("the QR code of the board's link", () => {
  /** The page's QR code SVG and the link printed under it. */
  const qrOf = (html: string) => ({
    svg: /<svg class="qr-code"[^]*?<\/svg>/.exec(html)?.[0],
    link: /<p class="qr-link" id="qr-link">([^<]*)<\/p>/.exec(html)?.[1],
  });

  it("is an inline SVG with an accessible name, and the absolute link under it", async () => {
    server = await startTestServer();
    for (const [path, url] of [
      ["/b/math101", `${server.url}/b/math101`],
      ["/", `${server.url}/`],
    ]) {
      const { svg, link } = qrOf(await (await fetch(`${server.url}${path}`)).text());
      expect(svg, path).toMatch(/^<svg class="qr-code" role="img" aria-label="QR code for this board's link" /);
      // Colours as attributes: the Content-Security-Policy refuses inline styles.
      expect(svg, path).not.toMatch(/style=/);
      expect(link, path).toBe(url);
    }
  });

  it("links to the address the client used, through a trusted proxy", async () => {
    server = await startTestServer({ config: { trustProxy: 1 } });
    const response = await rawRequest(server.url, {
      method: "GET",
      path: "/b/math101",
      headers: { "x-forwarded-proto": "https", "x-forwarded-host": "circles.example.org" },
    });
    expect(qrOf(response.body).link).toBe("https://circles.example.org/b/math101");
  });

  it("is left out, not made up, when the Host header is odd", async () => {
    server = await startTestServer();
    const response = await rawRequest(server.url, { method: "GET", path: "/b/math101", headers: { host: 'evil_host"<x>' } });
    expect(response.status).toBe(200);
    expect(response.body).toContain('data-board="math101"');
    expect(qrOf(response.body)).toEqual({ svg: undefined, link: undefined });
  });
});
