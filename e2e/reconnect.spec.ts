/**
 * The server restarts (a deploy, a crash): every browser says it is
 * reconnecting, and when the server is back it rejoins by itself: same
 * initials, and the board as the server has it, whether it is sent whole
 * or as the changes the page missed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Circle } from "../lib/protocol/events.js";
import { startServerProcess, type ServerProcess } from "../test/support/server-process.js";
import { BoardPage } from "./support/board-page.js";
import { expect, test } from "./support/fixtures.js";
import { openLessonClient, plainCircle, type LessonClient } from "./support/lesson-client.js";
import { tapSocket } from "./support/socket-tap.js";

test("after a server restart the page reconnects, re-registers and redraws the board", async ({ browser, board, pageErrors }) => {
  test.setTimeout(60_000);
  // While the server is down the browser logs its failed attempts to reach it.
  pageErrors.allow(/ERR_CONNECTION_REFUSED|WebSocket connection to .* failed|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE/);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "circles-e2e-restart-"));
  let server: ServerProcess | undefined = await startServerProcess({ env: { DATA_DIR: dataDir } });
  const port = new URL(server.url).port;
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 720 } });
  pageErrors.watch(context);
  try {
    const player = new BoardPage(await context.newPage());
    await player.goto(`/b/${board}`);
    await player.join("RS");
    const circle = await player.drawAt(800, 450);

    await server.stop();
    server = undefined;
    await expect(player.status).toHaveAttribute("data-state", /reconnecting|offline/);
    await expect(player.status).toHaveText(/Reconnecting|Offline/);

    server = await startServerProcess({ env: { DATA_DIR: dataDir, PORT: port } });
    await expect(player.status).toHaveText("Connected", { timeout: 20_000 });
    await player.expectPlayers(["RS"]);
    await player.expectDrawn(1);
    expect((await player.circles()).map((c) => c.id)).toEqual([circle.id]);
    await player.expectCirclePainted(circle);
    // And it is usable again.
    await player.drawAt(300, 300);
  } finally {
    await context.close();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("after a restart the page has exactly the board: nothing lost, nothing twice", async ({ browser, board, pageErrors }) => {
  test.setTimeout(60_000);
  pageErrors.allow(/ERR_CONNECTION_REFUSED|WebSocket connection to .* failed|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE/);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "circles-e2e-restart-"));
  let server: ServerProcess | undefined = await startServerProcess({ env: { DATA_DIR: dataDir } });
  const port = new URL(server.url).port;
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 720 } });
  pageErrors.watch(context);
  let writer: LessonClient | undefined;
  try {
    const page = await context.newPage();
    const tap = await tapSocket(page);
    const player = new BoardPage(page);
    await player.goto(`/b/${board}`);
    await player.join("RS");
    await player.drawAt(300, 300);
    await player.drawAt(900, 300);

    // Kept away until the restarted server has taken more changes, as when others get back first.
    await tap.cut();
    await server.stop();
    server = await startServerProcess({ env: { DATA_DIR: dataDir, PORT: port } });
    writer = await openLessonClient(server.url, board);
    await writer.add(plainCircle(300, 800));
    await writer.add(plainCircle(900, 800));
    tap.restore();

    await expect(player.status).toHaveText("Connected", { timeout: 20_000 });
    const stored = (await (await fetch(`${server.url}/api/boards/${board}/circles`)).json()) as Circle[];
    expect(stored).toHaveLength(4);
    await player.expectDrawn(4);
    expect((await player.circles()).map((c) => c.id)).toEqual(stored.map((c) => c.id));
    expect(tap.connections.at(-1)?.query.get("since")).toBe("2");
  } finally {
    writer?.close();
    await context.close();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
