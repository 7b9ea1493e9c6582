/**
 * The room's Wi-Fi drops for a while: the page keeps its taps. Ann's page
 * reaches the server through a TCP proxy the test cuts (her WebSocket drops
 * and she cannot reconnect until it is restored); Bob's page goes straight
 * to the server. Each tap is drawn at once as pending, kept in the browser,
 * counted in the header, and reaches the board exactly once when Ann is
 * back, even from a page opened after the first was closed; a tap the server
 * refuses for itself then leaves the board, saying why.
 */
import type { Page } from "@playwright/test";
import type { Circle } from "../lib/protocol/events.js";
import { startTcpProxy, type TcpProxy } from "../test/support/tcp-proxy.js";
import { BoardPage, insidePoint } from "./support/board-page.js";
import { expect, test as base, type PageErrors } from "./support/fixtures.js";

/** Ann's way to the server (not Playwright's own `proxy` option). */
const test = base.extend<{ cable: TcpProxy }>({
  cable: async ({ server }, use) => {
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(server.url).port) });
    await use(proxy);
    await proxy.close();
  },
});

/** Socket.IO reconnects after at most about 7.5 s (5 s, ±50 %); then the waiting writes go one by one. */
const BACK = { timeout: 20_000 };
// Each test waits out a reconnection, some two.
test.describe.configure({ timeout: 60_000 });

/** While cut off, the browser logs its failed attempts to reach the server's socket (however the network failed them). */
function allowOffline(pageErrors: PageErrors): void {
  pageErrors.allow(/net::ERR_[A-Z_]+ \(http:\/\/127\.0\.0\.1:\d+\/socket\.io\/|WebSocket connection to .* failed/);
}

const through = (cable: TcpProxy, board: string) => `http://127.0.0.1:${cable.port}/b/${board}`;
const ids = (circles: readonly Circle[]) => circles.map((circle) => circle.id);

/** The board as the server stores it, asked directly. */
async function storedIds(url: string, board: string): Promise<string[]> {
  const response = await fetch(`${url}/api/boards/${board}/circles`);
  return ids((await response.json()) as Circle[]);
}

/** The ids of the writes kept in this page's storage for the board (public/client/outbox/waiting-store.ts). */
async function keptIds(page: Page, board: string): Promise<string[]> {
  const kept = await page.evaluate(
    (key) => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem(key),
    `circles:waiting:${board}`,
  );
  return kept === null ? [] : (JSON.parse(kept) as { writes: { kind: string; id: string }[] }).writes.map((write) => write.id);
}

/** Two players on one board, Ann through the proxy; each a browser of their own. */
async function annAndBob(openPage: () => Promise<Page>, cable: TcpProxy, board: string, watch?: (page: Page) => void) {
  const annPage = await openPage();
  watch?.(annPage);
  const ann = new BoardPage(annPage);
  await ann.goto(through(cable, board));
  const bob = new BoardPage(await openPage());
  await bob.goto(`/b/${board}`);
  await ann.join("AN");
  await bob.join("BO");
  return { ann, bob };
}

async function goOffline(cable: TcpProxy, ann: BoardPage): Promise<void> {
  cable.refuse();
  await expect(ann.status).toHaveText("Offline");
}

/** Where a pending tap is drawn: faded on the layer over the board, and nothing yet on the board itself. */
async function expectPendingPainted(ann: BoardPage, circle: Circle): Promise<void> {
  const [over] = await ann.pixelsAt([insidePoint(circle)], ann.pendingLayer);
  expect(over?.[3], "the pending tap is painted, see-through").toBeGreaterThan(40);
  expect(over?.[3]).toBeLessThan(130);
  await ann.expectBlankAt(circle);
}

test("taps made offline show at once as pending, the header counts them, and back online they reach Bob once and turn solid", async ({
  openPage,
  board,
  cable,
  server,
  pageErrors,
}) => {
  allowOffline(pageErrors);
  const { ann, bob } = await annAndBob(openPage, cable, board);
  const online = await ann.drawAt(150, 150);
  await bob.expectDrawn(1);

  await goOffline(cable, ann);
  await ann.clickBoard(400, 300);
  await expect(ann.status).toHaveText("Offline · 1 waiting");
  await ann.clickBoard(900, 500);
  await ann.clickBoard(1400, 700);
  await expect(ann.status).toHaveText("Offline · 3 waiting");
  const pending = await ann.pending();
  expect(pending.map((circle) => [circle.x, circle.y])).toEqual([
    [400, 300],
    [900, 500],
    [1400, 700],
  ]);
  await expect(ann.pendingLayer).toHaveAttribute("data-pending-count", "3");
  await expect(ann.pendingLayer).toBeVisible();
  for (const circle of pending) await expectPendingPainted(ann, circle);
  // Kept in the browser, and on the board only what the server has.
  expect(await keptIds(ann.page, board)).toEqual(ids(pending));
  expect(ids(await ann.circles())).toEqual([online.id]);
  expect(ids(await bob.circles())).toEqual([online.id]);

  cable.restore();
  await expect(ann.status).toHaveText("Connected", BACK);
  await expect.poll(async () => ids(await bob.circles()), BACK).toEqual([online.id, ...ids(pending)]);
  await bob.expectDrawn(4);
  await expect.poll(async () => (await ann.pending()).length).toBe(0);
  await expect(ann.pendingLayer).toHaveAttribute("data-pending-count", "0");
  await expect(ann.pendingLayer).toBeHidden();
  await ann.expectDrawn(4);
  for (const circle of await ann.circles()) await ann.expectCirclePainted(circle);
  expect(await ann.circles()).toEqual(await bob.circles());
  expect(await storedIds(server.url, board)).toEqual([online.id, ...ids(pending)]);
  expect(await keptIds(ann.page, board)).toEqual([]);
});

test("taps made offline in a tab that is then closed are sent when the board is opened again, once each", async ({
  openPage,
  board,
  cable,
  server,
  pageErrors,
}) => {
  allowOffline(pageErrors);
  const { ann, bob } = await annAndBob(openPage, cable, board);
  await goOffline(cable, ann);
  await ann.clickBoard(500, 400);
  await ann.clickBoard(1300, 600);
  await expect(ann.status).toHaveText("Offline · 2 waiting");
  const tapped = ids(await ann.pending());
  const browser = ann.page.context();
  await ann.page.close();
  cable.restore();

  // Later, in the same browser: the page loads before its socket can connect, and draws what was left at once.
  const page = await browser.newPage();
  await page.route(/\/socket\.io\//, (route) => route.abort("connectionrefused"));
  const again = new BoardPage(page);
  await again.goto(through(cable, board));
  await expect.poll(async () => ids(await again.pending())).toEqual(tapped);
  await expect(again.status).toHaveText(/ · 2 waiting$/);
  await expect(again.pendingLayer).toHaveAttribute("data-pending-count", "2");

  await page.unroute(/\/socket\.io\//);
  await expect(again.status).toHaveText("Connected", BACK);
  await expect.poll(async () => ids(await bob.circles()), BACK).toEqual(tapped);
  await expect.poll(async () => (await again.pending()).length).toBe(0);
  await again.expectDrawn(2);
  expect(await storedIds(server.url, board)).toEqual(tapped);
  expect(await keptIds(page, board)).toEqual([]);
});

test("a tap whose answer was lost as its tab closed is sent again by the next page, and stored once", async ({
  openPage,
  board,
  cable,
  server,
  pageErrors,
}) => {
  allowOffline(pageErrors);
  const { ann, bob } = await annAndBob(openPage, cable, board);
  // The server takes the tap, but its answer and its relay never reach Ann.
  cable.dropReplies();
  await ann.clickBoard(700, 400);
  await expect.poll(async () => (await bob.circles()).length).toBe(1);
  const [tap] = await ann.pending();
  expect(tap?.id).toBe((await bob.circles())[0]?.id);
  const browser = ann.page.context();
  await ann.page.close();
  cable.restore();

  const again = new BoardPage(await browser.newPage());
  await again.goto(through(cable, board));
  await again.expectConnected();
  await expect.poll(async () => keptIds(again.page, board)).toEqual([]);
  await again.expectDrawn(1);
  expect(await again.pending()).toEqual([]);
  expect(ids(await bob.circles())).toEqual([tap?.id]);
  expect(await storedIds(server.url, board)).toEqual([tap?.id]);
});

test("a waiting tap undone while offline is never sent", async ({ openPage, board, cable, server, pageErrors }) => {
  allowOffline(pageErrors);
  // Everything Ann's page sends to the server, on either transport.
  const sent: string[] = [];
  const { ann, bob } = await annAndBob(openPage, cable, board, (page) => {
    page.on("websocket", (socket) => socket.on("framesent", (frame) => void sent.push(String(frame.payload))));
    page.on("request", (request) => {
      if (request.url().includes("/socket.io/") && request.method() === "POST") sent.push(request.postData() ?? "");
    });
  });
  await goOffline(cable, ann);
  await ann.clickBoard(600, 300);
  await ann.clickBoard(1200, 600);
  await expect(ann.status).toHaveText("Offline · 2 waiting");
  const [kept, undone] = await ann.pending();
  if (!kept || !undone) throw new Error("two taps should be pending");

  await ann.page.getByRole("button", { name: "Undo", exact: true }).click();
  await expect(ann.status).toHaveText("Offline · 1 waiting");
  expect(ids(await ann.pending())).toEqual([kept.id]);
  await expect(ann.pendingLayer).toHaveAttribute("data-pending-count", "1");
  expect(await keptIds(ann.page, board)).toEqual([kept.id]);

  cable.restore();
  await expect(ann.status).toHaveText("Connected", BACK);
  await expect.poll(async () => ids(await bob.circles()), BACK).toEqual([kept.id]);
  await expect.poll(async () => keptIds(ann.page, board)).toEqual([]);
  expect(await storedIds(server.url, board)).toEqual([kept.id]);
  expect(sent.join("\n")).toContain(kept.id);
  expect(sent.join("\n")).not.toContain(undone.id);
});

test("a tap refused when it is finally sent (the host paused drawing meanwhile) leaves the board, and Ann is told why", async ({
  openPage,
  board,
  cable,
  server,
  pageErrors,
}) => {
  allowOffline(pageErrors);
  const { ann, bob } = await annAndBob(openPage, cable, board);
  await bob.page.getByRole("button", { name: "Become host", exact: true }).click();
  await expect(bob.page.getByRole("button", { name: "Pause drawing", exact: true })).toBeVisible();

  await goOffline(cable, ann);
  await ann.clickBoard(800, 450);
  await expect(ann.status).toHaveText("Offline · 1 waiting");
  await bob.page.getByRole("button", { name: "Pause drawing", exact: true }).click();
  await expect(bob.page.getByRole("button", { name: "Resume drawing", exact: true })).toBeVisible();

  cable.restore();
  await expect(ann.page.locator("#toast")).toHaveText(/^Circle not added: the host paused drawing/, BACK);
  expect(await ann.pending()).toEqual([]);
  await expect(ann.pendingLayer).toBeHidden();
  expect(await keptIds(ann.page, board)).toEqual([]);
  await expect(ann.status).toHaveText("Connected");
  expect(await bob.circles()).toEqual([]);
  expect(await storedIds(server.url, board)).toEqual([]);
});
