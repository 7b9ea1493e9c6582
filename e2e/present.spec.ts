/**
 * The presenter screen (/b/<name>/present), as a projector shows it: the
 * board filling the screen, its link in large type and as a QR code that a
 * camera reads, how many are here, nothing to press, and every circle the
 * players add, live. It watches and never plays.
 */
import type { Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { io, type Socket } from "socket.io-client";
import type { Circle, ClientToServerEvents, ServerToClientEvents } from "../lib/protocol/events.js";
import { BoardPage } from "./support/board-page.js";
import { cspViolations, recordCspViolations } from "./support/csp.js";
import { endedSessions, expect, test } from "./support/fixtures.js";
import { QR_NAME, scanQrCode } from "./support/qr-scan.js";

/** The slice of the presenter's `window.circlesDebug` read here. */
interface PresenterDebug {
  players(): string[];
  initials(): string | null;
}

function presenterDebug(page: Page): Promise<{ players: string[]; initials: string | null }> {
  return page.evaluate(() => {
    const debug = (globalThis as unknown as { circlesDebug: PresenterDebug }).circlesDebug;
    return { players: debug.players(), initials: debug.initials() };
  });
}

async function expectConnected(page: Page): Promise<void> {
  await expect(page.locator("#connection")).toHaveAttribute("data-state", "connected");
}

/** How much of the viewport the board's canvas covers. */
async function boardShare(page: Page): Promise<number> {
  const box = await page.locator("canvas#board").boundingBox();
  const viewport = page.viewportSize();
  if (!box || !viewport) throw new Error("the board is not visible");
  return (box.width * box.height) / (viewport.width * viewport.height);
}

test("the presenter screen shows the board, its link and its QR code, with nothing to press", async ({ openPage, board }) => {
  const page = await openPage();
  await recordCspViolations(page);
  await page.goto(`/b/${board}/present`);
  await expectConnected(page);
  const link = new URL(`/b/${board}`, page.url()).href;

  await expect(page).toHaveTitle(`circles · ${board} · presenter`);
  // The board fills most of the screen, at the board's own proportions.
  await expect.poll(() => boardShare(page)).toBeGreaterThan(0.55);
  const canvas = await page.locator("canvas#board").boundingBox();
  expect((canvas?.width ?? 0) / (canvas?.height ?? 1)).toBeCloseTo(16 / 9, 1);

  // The link players open (the board's page, not this screen), and its QR code, both in view.
  const linkText = page.locator("#present-link");
  await expect(linkText).toHaveText(link);
  await expect(linkText).toBeInViewport();
  const qr = page.getByRole("img", { name: QR_NAME });
  await expect(qr).toBeInViewport();
  expect(await qr.evaluate((element) => (element as unknown as { tagName: string }).tagName)).toBe("svg");
  expect(await scanQrCode(qr, await openPage())).toBe(link);

  // Nothing to press or type in.
  await expect(page.getByRole("button")).toHaveCount(0);
  await expect(page.locator("a[href], button, input, select, textarea, summary, [tabindex], [contenteditable]")).toHaveCount(0);
  expect(await cspViolations(page)).toEqual([]);
});

test("the presenter counts who is here, itself among them, but never plays", async ({ openPage, board }) => {
  const page = await openPage({ path: `/b/${board}/present` });
  const here = page.locator("#present-here");
  await expect(here).toHaveText("1 here");

  const player = new BoardPage(await openPage({ path: `/b/${board}` }));
  await expect(here).toHaveText("2 here");
  await player.join("PL");
  await expect.poll(() => presenterDebug(page)).toEqual({ players: ["PL"], initials: null });
  await expect(here).toHaveText("2 here");

  await player.page.close();
  await expect(here).toHaveText("1 here");
});

test("circles that players add, by page or by the REST API, appear on the presenter live, and go when cleared", async ({
  openPage,
  board,
  server,
}) => {
  const presenter = new BoardPage(await openPage({ path: `/b/${board}/present` }));
  await expectConnected(presenter.page);
  await presenter.expectDrawn(0);

  const player = new BoardPage(await openPage({ path: `/b/${board}` }));
  await player.join("PL");
  const drawn = await player.drawAt(640, 360);
  await presenter.expectDrawn(1);
  expect(await presenter.circles()).toEqual([drawn]);
  await presenter.expectCirclePainted(drawn);

  const response = await fetch(`${server.url}/api/boards/${board}/circles`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ initials: "RS", x: 1400, y: 700, dia: 120, rgba: "rgba(220, 38, 38, 0.8)" }),
  });
  expect(response.status).toBe(201);
  const posted = (await response.json()) as Circle & { seq: number };
  await presenter.expectDrawn(2);
  await presenter.expectCirclePainted({ ...posted });

  const cleared = await fetch(`${server.url}/api/boards/${board}/circles`, { method: "DELETE" });
  expect(cleared.ok).toBe(true);
  await presenter.expectDrawn(0, [drawn, posted]);
});

test("a board name in another case ends on the lowercase presenter, query kept", async ({ openPage, board }) => {
  const page = await openPage();
  const response = await page.goto(`/b/${board.toUpperCase()}/present?from=projector`);
  expect(response?.status()).toBe(200);
  expect(response?.request().redirectedFrom()?.url()).toContain(`/b/${board.toUpperCase()}/present`);
  const url = new URL(page.url());
  expect(url.pathname).toBe(`/b/${board}/present`);
  expect(url.search).toBe("?from=projector");
  await expect(page.locator("#present-link")).toHaveText(new URL(`/b/${board}`, page.url()).href);
  await expectConnected(page);
});

test("/present is the main board's presenter: its link is the site's root", async ({ openPage }) => {
  const page = await openPage({ path: "/present" });
  await expectConnected(page);
  const link = new URL("/", page.url()).href;
  await expect(page.locator("#present-link")).toHaveText(link);
  expect(await scanQrCode(page.getByRole("img", { name: QR_NAME }), await openPage())).toBe(link);
});

test("when its host deletes the board, the presenter says so and shows no way in", async ({ openPage, board, server, pageErrors }) => {
  endedSessions(pageErrors);
  // The host, as a script: a fresh board claimed with a key of its own.
  const host: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, {
    query: { board, protocol: "2" },
    auth: { hostKey: randomBytes(24).toString("base64url") },
    transports: ["websocket"],
    reconnection: false,
  });
  try {
    expect(await host.timeout(5000).emitWithAck("claim-board")).toMatchObject({ ok: true });
    const presenter = new BoardPage(await openPage({ path: `/b/${board}/present` }));
    await expectConnected(presenter.page);
    await expect(presenter.page.locator("#present-here")).toHaveText("2 here");
    expect(
      (await host.timeout(5000).emitWithAck("add-circle", { initials: "HO", x: 900, y: 500, dia: 100, rgba: "rgba(22, 163, 74, 0.8)" })).ok,
    ).toBe(true);
    await presenter.expectDrawn(1);
    const [drawn] = await presenter.circles();

    expect(await host.timeout(5000).emitWithAck("delete-board")).toMatchObject({ ok: true });
    await expect(presenter.page.getByRole("status").filter({ hasText: "This board was deleted by its host." })).toBeVisible();
    await expect(presenter.page.locator("#present-link")).toBeHidden();
    await expect(presenter.page.getByRole("img", { name: QR_NAME })).toBeHidden();
    await expect(presenter.page.locator("#present-here")).toBeHidden();
    await expect(presenter.page.locator("#connection")).toHaveAttribute("data-state", "offline");
    await presenter.expectDrawn(0, drawn ? [drawn] : []);
  } finally {
    host.close();
  }
});
