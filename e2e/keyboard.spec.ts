/**
 * The board without a mouse: Tab to it, move the cursor with the arrow keys,
 * Enter drops a circle there for everyone; and what others draw is told to
 * screen readers through a polite live region, a few messages rather than
 * one per circle.
 */
import type { Page } from "@playwright/test";
import { BOARD_HEIGHT, BOARD_WIDTH } from "../lib/protocol/rules.js";
import { BoardPage } from "./support/board-page.js";
import { expect, test } from "./support/fixtures.js";
import { openLessonClient, plainCircle } from "./support/lesson-client.js";

/** Keys only: type initials into the form the page opens with, then Tab until the board has focus. */
async function joinAndTabToBoard(player: BoardPage, initials: string): Promise<void> {
  const { page } = player;
  await player.expectConnected();
  await expect(player.initialsInput).toBeFocused();
  await page.keyboard.type(initials);
  await page.keyboard.press("Enter");
  await expect(player.identity).toContainText(initials);
  for (let tabs = 0; tabs < 30; tabs++) {
    if (await player.canvas.evaluate((canvas) => canvas === canvas.ownerDocument.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error("Tab never reached the board");
}

test("Tab, arrows and Enter put a circle where the cursor is, for everyone", async ({ openPage, board }) => {
  const keys = new BoardPage(await openPage({ path: `/b/${board}` }));
  const other = new BoardPage(await openPage({ path: `/b/${board}` }));
  await other.join("OT");
  await joinAndTabToBoard(keys, "KB");

  // The cursor starts in the middle of the board.
  const ring = keys.page.locator("#board-cursor");
  await expect(ring).toBeVisible();
  const canvas = await keys.canvas.boundingBox();
  const at = async () => {
    const found = await ring.boundingBox();
    if (!found || !canvas) throw new Error("not visible");
    return {
      x: ((found.x + found.width / 2 - canvas.x) / canvas.width) * BOARD_WIDTH,
      y: ((found.y + found.height / 2 - canvas.y) / canvas.height) * BOARD_HEIGHT,
    };
  };
  expect((await at()).x).toBeCloseTo(960, -1);
  expect((await at()).y).toBeCloseTo(540, -1);

  // 20 a step, 100 with Shift: right 3, down 2, then up one big step.
  for (let i = 0; i < 3; i++) await keys.page.keyboard.press("ArrowRight");
  for (let i = 0; i < 2; i++) await keys.page.keyboard.press("ArrowDown");
  await keys.page.keyboard.press("Shift+ArrowUp");
  expect((await at()).x).toBeCloseTo(1020, -1);
  expect((await at()).y).toBeCloseTo(480, -1);

  await keys.page.keyboard.press("Enter");
  await other.expectDrawn(1);
  const [circle] = await other.circles();
  expect(circle).toMatchObject({ initials: "KB", x: 1020, y: 480 });

  // Space too, and the page does not scroll for it.
  await keys.page.keyboard.press("ArrowLeft");
  await keys.page.keyboard.press(" ");
  await other.expectDrawn(2);
  expect((await other.circles())[1]).toMatchObject({ initials: "KB", x: 1000, y: 480 });
  expect(await keys.page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBe(0);

  // Leaving the board hides the cursor.
  await keys.page.keyboard.press("Tab");
  await expect(ring).toBeHidden();
});

test("the cursor stops at the board's edges", async ({ openPage, board }) => {
  const keys = new BoardPage(await openPage({ path: `/b/${board}` }));
  const other = new BoardPage(await openPage({ path: `/b/${board}` }));
  await other.join("OT");
  await joinAndTabToBoard(keys, "KB");
  for (let i = 0; i < 15; i++) await keys.page.keyboard.press("Shift+ArrowLeft");
  for (let i = 0; i < 8; i++) await keys.page.keyboard.press("Shift+ArrowDown");
  await keys.page.keyboard.press("Enter");
  await other.expectDrawn(1);
  expect((await other.circles())[0]).toMatchObject({ x: 0, y: BOARD_HEIGHT });
});

/** Every message the page's live region shows, as it shows it, with when. */
async function recordAnnouncements(page: Page): Promise<void> {
  await page.addInitScript({
    content: `
      window.announced = [];
      document.addEventListener("DOMContentLoaded", () => {
        const region = document.getElementById("announcer");
        new MutationObserver(() => {
          if (region.textContent) window.announced.push({ at: performance.now(), text: region.textContent });
        }).observe(region, { childList: true, subtree: true, characterData: true });
      });`,
  });
}

function announced(page: Page): Promise<{ at: number; text: string }[]> {
  return page.evaluate(() => (globalThis as unknown as { announced: { at: number; text: string }[] }).announced);
}

/**
 * Resolves once the chat bot has told of the writer's arrival (it is read
 * out too) and the live region has been quiet for longer than its interval,
 * so that what follows is said as if nothing came before; forgets what was said.
 */
async function afterArrivals(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(() => {
          const said = (globalThis as unknown as { announced: { at: number; text: string }[] }).announced;
          return said.some((a) => a.text.includes("watcher joined")) && performance.now() - (said.at(-1)?.at ?? 0) > 2_500;
        }),
      { timeout: 15_000 },
    )
    .toBe(true);
  await page.evaluate(() => ((globalThis as unknown as { announced: unknown[] }).announced = []));
}

test("new circles are announced politely, a few at a time, and so is a clear", async ({ openPage, board, server }) => {
  const page = await openPage();
  await recordAnnouncements(page);
  const listener = new BoardPage(page);
  await listener.goto(`/b/${board}`);
  await listener.join("SR");
  await expect(page.locator("#announcer")).toHaveAttribute("aria-live", "polite");

  const writer = await openLessonClient(server.url, board);
  try {
    await afterArrivals(page);
    for (let i = 0; i < 12; i++) await writer.add(plainCircle(100 + i * 100, 300, { initials: i % 2 ? "AB" : "CD" }));
    await listener.expectDrawn(12);
    // Two messages at most (the first straight away, the rest 2 s later), counting all twelve.
    await expect
      .poll(async () => {
        const said = (await announced(page)).map((a) => a.text);
        return said.reduce((sum, text) => sum + Number(/^(\d+) new circles/.exec(text)?.[1] ?? (/^New circle/.test(text) ? 1 : 0)), 0);
      })
      .toBe(12);
    const said = await announced(page);
    expect(said.length).toBeLessThanOrEqual(2);
    expect(said.at(-1)?.text).toMatch(/new circles? by (AB and CD|CD and AB)\.$|^New circle by (AB|CD)\.$/);
    if (said.length === 2) expect((said[1]?.at ?? 0) - (said[0]?.at ?? 0)).toBeGreaterThanOrEqual(1900);

    await writer.clear();
    await expect.poll(async () => (await announced(page)).at(-1)?.text).toBe("Board cleared.");
  } finally {
    writer.close();
  }
});
