/**
 * A rehearsal of a Heroku deploy on a copy of the project: clean install,
 * build, prune the dev dependencies, then `npm start` (the Procfile's
 * command) with a given PORT; the page and a socket round trip must work.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { io as connect } from "socket.io-client";
import { afterAll, expect, it } from "vitest";
import { projectRoot } from "../lib/ops/paths.js";
import { startServerProcess, type ServerProcess } from "./support/server-process.js";
import { freePort } from "./support/free-port.js";

const run = promisify(execFile);
let appDir: string | undefined;
let app: ServerProcess | undefined;

afterAll(async () => {
  await app?.stop("SIGKILL");
  if (appDir) await rm(appDir, { recursive: true, force: true });
});

/** The files a fresh clone would have: tracked ones, and new ones git does not ignore. */
async function copyCheckout(to: string): Promise<void> {
  const { stdout } = await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: projectRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const file of stdout.split("\0").filter(Boolean)) {
    const exists = await stat(path.join(projectRoot, file)).catch(() => undefined);
    if (!exists) continue;
    await mkdir(path.dirname(path.join(to, file)), { recursive: true });
    await cp(path.join(projectRoot, file), path.join(to, file));
  }
}

it("installs, builds, prunes and starts the way Heroku does", { timeout: 600_000 }, async () => {
  appDir = await mkdtemp(path.join(os.tmpdir(), "circles-heroku-"));
  await copyCheckout(appDir);
  const npm = (...args: string[]) => run("npm", args, { cwd: appDir, maxBuffer: 64 * 1024 * 1024 });

  expect((await readFile(path.join(appDir, "Procfile"), "utf8")).trim()).toBe("web: npm start");
  await npm("ci", "--no-audit", "--no-fund");
  await npm("run", "build");
  await npm("prune", "--omit=dev", "--no-audit", "--no-fund");
  await expect(stat(path.join(appDir, "node_modules", "typescript"))).rejects.toThrow();

  const port = await freePort();
  app = await startServerProcess({
    cwd: appDir,
    command: ["npm", "start"],
    env: { PORT: String(port), DATA_DIR: path.join(appDir, "data"), NODE_ENV: "production" },
    timeoutMs: 30_000,
  });
  expect(app.url).toBe(`http://localhost:${port}`);

  const page = await fetch(app.url);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('src="/app.js"');
  expect((await fetch(`${app.url}/app.js`)).status).toBe(200);

  const socket = connect(app.url, { transports: ["websocket"], forceNew: true });
  try {
    const relayed = new Promise((resolve) => socket.once("add-circle", resolve));
    const circle = { initials: "HK", x: 1, y: 2, dia: 3, rgba: "#abcdef" };
    expect(await socket.emitWithAck("add-circle", circle)).toMatchObject({ ok: true, circle });
    expect(await relayed).toMatchObject(circle);
  } finally {
    socket.disconnect();
  }
});
