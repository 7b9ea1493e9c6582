/**
 * Replay: the board's circles drawn again one by one, in the order they were
 * added, within a few seconds; then the live board, with whatever arrived
 * meanwhile. Clicks during the replay add nothing.
 */
import type { Page } from "@playwright/test";
import { BoardPage } from "./support/board-page.js";
import { expect, test } from "./support/fixtures.js";
import { openLessonClient, plainCircle } from "./support/lesson-client.js";

/** Every count of replayed circles the overlay shows, with when, recorded in the page. */
async function recordReplay(page: Page): Promise<void> {
  await page.addInitScript({
    content: `
      window.replayed = [];
      document.addEventListener("DOMContentLoaded", () => {
        const overlay = document.getElementById("board-replay");
        new MutationObserver(() => {
          window.replayed.push({ at: performance.now(), shown: Number(overlay.dataset.shown ?? 0), hidden: overlay.hidden });
        }).observe(overlay, { attributes: true, attributeFilter: ["data-shown", "hidden"] });
      });`,
  });
}

interface Frame {
  at: number;
  shown: number;
  hidden: boolean;
}

function replayed(page: Page): Promise<Frame[]> {
  return page.evaluate(() => (globalThis as unknown as { replayed: Frame[] }).replayed);
}

test("Replay redraws the circles one by one, then shows the live board with what came meanwhile", async ({ openPage, board, server }) => {
  const page = await openPage();
  await recordReplay(page);
  const ann = new BoardPage(page);
  await ann.goto(`/b/${board}`);
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await bob.join("BO");
  // Eleven circles: a replay of nearly three seconds, time enough to act during it.
  const drawn = [await ann.drawAt(300, 300), await bob.drawAt(900, 500)];
  const writer = await openLessonClient(server.url, board);
  try {
    for (let i = 0; i < 9; i++) drawn.push(await writer.add(plainCircle(150 + i * 200, 150 + i * 90)));
  } finally {
    writer.close();
  }
  await ann.expectDrawn(11);

  const button = page.getByRole("button", { name: "Replay" });
  const overlay = page.locator("#board-replay");
  await button.click();
  const status = page.locator("#replay-status");
  await expect(status).toHaveText("Replaying…");
  await expect(status).toBeVisible();
  await expect(page.getByRole("button", { name: "Stop replay" })).toBeVisible();

  // Meanwhile: Bob draws, and Ann's click is refused rather than drawn where she cannot see it.
  const late = await bob.drawAt(600, 900);
  await ann.clickBoard(1200, 200);
  await expect(page.getByText(/^Replaying… you can add circles again/)).toBeVisible();

  await expect(overlay).toBeHidden({ timeout: 6000 });
  await expect(status).toBeHidden();
  await expect(button).toBeVisible();
  // The live board: the eleven, and Bob's from during the replay; none from Ann's click.
  await ann.expectDrawn(12);
  expect((await ann.circles()).map((c) => c.id)).toEqual([...drawn, late].map((c) => c.id));
  await ann.expectCirclePainted(late);
  await expect.poll(async () => (await bob.circles()).length).toBe(12);

  // One circle at a time, never going back, all eleven within four seconds.
  const frames = await replayed(page);
  const counts = frames.filter((f) => !f.hidden).map((f) => f.shown);
  expect(counts).toEqual([...counts].sort((a, b) => a - b));
  expect(new Set(counts)).toEqual(new Set(Array.from({ length: 12 }, (_, i) => i)));
  const start = frames.find((f) => !f.hidden)?.at ?? 0;
  const end = frames.findLast((f) => f.hidden)?.at ?? Number.POSITIVE_INFINITY;
  expect(end - start).toBeLessThanOrEqual(4200);
});

test("Stop replay goes back to the live board at once; an empty board has nothing to replay", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await ann.page.getByRole("button", { name: "Replay" }).click();
  await expect(ann.page.getByText("Nothing to replay yet")).toBeVisible();

  for (let i = 0; i < 5; i++) await ann.drawAt(200 + i * 300, 500);
  await ann.page.getByRole("button", { name: "Replay" }).click();
  await expect(ann.page.locator("#board-replay")).toBeVisible();
  await ann.page.getByRole("button", { name: "Stop replay" }).click();
  await expect(ann.page.locator("#board-replay")).toBeHidden();
  await ann.drawAt(1000, 900);
  await ann.expectDrawn(6);
});
