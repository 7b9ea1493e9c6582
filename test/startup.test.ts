/** Start-up errors of the real server process: one clear line naming the problem, exit code 1. Needs `npm run build`. */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, expect, it } from "vitest";
import { projectRoot } from "../lib/ops/paths.js";
import { startServerProcess, type ServerProcess } from "./support/server-process.js";
import { freePort } from "./support/free-port.js";

const run = promisify(execFile);
const www = path.join(projectRoot, "dist", "bin", "www.js");
let running: ServerProcess | undefined;

afterEach(async () => {
  await running?.stop("SIGKILL");
  running = undefined;
});

async function failedStart(env: Record<string, string>): Promise<{ code: unknown; stderr: string }> {
  try {
    await run(process.execPath, [www], { env: { ...process.env, STORE: "memory", ...env }, timeout: 10_000 });
  } catch (error) {
    const { code, stderr } = error as { code: unknown; stderr: string };
    return { code, stderr };
  }
  throw new Error("the server started");
}

it("refuses bad settings, naming each one and its value", async () => {
  const { code, stderr } = await failedStart({ PORT: "abc", MAX_CIRCLES: "-3", ALLOWED_ORIGINS: "nonsense" });
  expect(code).toBe(1);
  expect(stderr).toContain('PORT must be a whole number from 0 to 65535, not "abc"');
  expect(stderr).toContain('MAX_CIRCLES must be a whole number from 1 to 1000000, not "-3"');
  expect(stderr).toContain('"nonsense"');
  expect(stderr).not.toMatch(/\n\s+at /);
});

it("says so when the port is taken", async () => {
  running = await startServerProcess({ env: { STORE: "memory" } });
  const { port } = new URL(running.url);
  const { code, stderr } = await failedStart({ PORT: port });
  expect(code).toBe(1);
  expect(stderr.trim()).toBe(`circles: port ${port} is already in use: set PORT to a free one`);
});

it("says so, without the URL's password, when Redis cannot be reached", async () => {
  const port = await freePort();
  const { code, stderr } = await failedStart({ REDIS_URL: `redis://:secret@127.0.0.1:${port}` });
  expect(code).toBe(1);
  expect(stderr.trim()).toMatch(/^circles: cannot reach Redis at REDIS_URL: .+$/);
  expect(stderr).not.toContain("secret");
});
