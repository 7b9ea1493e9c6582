/** Origins, the Content-Security-Policy, and what error responses give away. */
import { io as connect } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.js";

let server: TestServer;
afterEach(async () => {
  await server.close();
});

/** Resolves true when a handshake with this Origin header connects, false when refused. */
async function handshake(transport: "websocket" | "polling", origin?: string): Promise<boolean> {
  const socket = connect(server.url, {
    transports: [transport],
    forceNew: true,
    reconnection: false,
    ...(origin ? { extraHeaders: { origin } } : {}),
  });
  try {
    return await new Promise<boolean>((resolve) => {
      socket.once("connect", () => resolve(true));
      socket.once("connect_error", () => resolve(false));
    });
  } finally {
    socket.disconnect();
  }
}

describe.each(["websocket", "polling"] as const)("socket handshakes over %s", (transport) => {
  it("refuses another site's pages, and admits its own, scripts, and ALLOWED_ORIGINS", async () => {
    server = await startTestServer({ config: { origins: { any: false, allowed: ["https://school.example"] } } });
    const own = new URL(server.url).origin;
    expect(await handshake(transport, "https://evil.example")).toBe(false);
    expect(await handshake(transport, own)).toBe(true);
    expect(await handshake(transport)).toBe(true);
    expect(await handshake(transport, "https://school.example")).toBe(true);
  });
});

describe("the API", () => {
  it("refuses another site's pages with 403 and tells allowed origins so with CORS", async () => {
    server = await startTestServer({ config: { origins: { any: false, allowed: ["https://school.example"] } } });
    const evil = await fetch(`${server.url}/api/boards/default`, { headers: { origin: "https://evil.example" } });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toEqual({ error: "origin not allowed", code: "refused" });

    const school = await fetch(`${server.url}/api/boards/default`, { headers: { origin: "https://school.example" } });
    expect(school.status).toBe(200);
    expect(school.headers.get("access-control-allow-origin")).toBe("https://school.example");

    expect((await fetch(`${server.url}/api/boards/default`)).status).toBe(200);
  });

  it("gives clients no internal detail when the store fails", async () => {
    server = await startTestServer();
    await server.store.close();
    const write = await fetch(`${server.url}/api/boards/default/circles`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ initials: "AB", x: 1, y: 1, dia: 10, rgba: "#fff" }),
    });
    expect(write.status).toBe(503);
    expect(await write.json()).toEqual({ error: "the circle could not be saved", code: "unavailable" });

    const read = await fetch(`${server.url}/api/boards/default/circles`);
    expect(read.status).toBe(500);
    expect(await read.text()).toBe(JSON.stringify({ error: "internal error", code: "internal" }));
  });
});

describe("pages", () => {
  it("carry a Content-Security-Policy that allows only the app's own scripts and styles", async () => {
    server = await startTestServer();
    const response = await fetch(server.url);
    const policy = response.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).toContain("require-trusted-types-for 'script'");
    expect(policy).not.toContain("unsafe-inline");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });
});
