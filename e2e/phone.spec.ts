/**
 * circles on a phone, held upright and on its side: the board fills the
 * screen, a tap adds a circle that a desktop browser sees, and pinching and
 * dragging zoom and pan the board without adding any.
 */
import type { Locator } from "@playwright/test";
import { BOARD_HEIGHT, BOARD_WIDTH } from "../lib/protocol/rules.js";
import { BoardPage } from "./support/board-page.js";
import { expect } from "./support/fixtures.js";
import { test, TouchScreen, type Finger } from "./support/touch.js";

async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const found = await locator.boundingBox();
  if (!found) throw new Error("not visible");
  return found;
}

/** Where a board point is on the screen now, whatever the zoom and pan. */
async function onScreen(player: BoardPage, x: number, y: number): Promise<Finger> {
  const board = await box(player.canvas);
  return { x: board.x + (x / BOARD_WIDTH) * board.width, y: board.y + (y / BOARD_HEIGHT) * board.height };
}

/** How much of the phone's screen shows the board: the canvas as far as the stage shows it. */
async function boardShare(player: BoardPage): Promise<number> {
  const board = await box(player.canvas);
  const stage = await box(player.page.locator("#stage"));
  const viewport = player.page.viewportSize();
  if (!viewport) throw new Error("no viewport");
  const width = Math.min(board.x + board.width, stage.x + stage.width, viewport.width) - Math.max(board.x, stage.x, 0);
  const height = Math.min(board.y + board.height, stage.y + stage.height, viewport.height) - Math.max(board.y, stage.y, 0);
  return (Math.max(0, width) * Math.max(0, height)) / (viewport.width * viewport.height);
}

test("held upright, the board fills the height of the screen below the header", async ({ openPhone, board }) => {
  const phone = new BoardPage(await openPhone("Pixel 7", `/b/${board}`));
  await phone.join("PH");
  const canvas = await box(phone.canvas);
  const stage = await box(phone.page.locator("#stage"));
  expect(canvas.height).toBeGreaterThanOrEqual(stage.height - 1);
  expect(await boardShare(phone)).toBeGreaterThan(0.6);
  // Zoomed to fill the height, it starts on the middle of the board.
  const middle = await onScreen(phone, BOARD_WIDTH / 2, BOARD_HEIGHT / 2);
  expect(middle.x).toBeCloseTo(stage.x + stage.width / 2, 0);
});

test("on its side, the whole board fills the height of the screen", async ({ openPhone, board }) => {
  const phone = new BoardPage(await openPhone("Pixel 7 landscape", `/b/${board}`));
  await phone.join("PH");
  const canvas = await box(phone.canvas);
  const viewport = phone.page.viewportSize();
  expect(canvas.height).toBeCloseTo(viewport?.height ?? 0, -1);
  expect(canvas.x).toBeGreaterThanOrEqual(0);
  expect(canvas.x + canvas.width).toBeLessThanOrEqual(viewport?.width ?? 0);
  expect(await boardShare(phone)).toBeGreaterThan(0.6);
  // The controls are in a column beside it, which scrolls while the board stays put.
  await expect(phone.page.getByRole("button", { name: "Clear" })).toBeInViewport();
  const players = phone.page.getByRole("list", { name: "Players" });
  await players.scrollIntoViewIfNeeded();
  await expect(players).toBeInViewport();
  expect(await box(phone.canvas)).toEqual(canvas);
});

for (const device of ["Pixel 7", "Pixel 7 landscape"] as const) {
  test(`${device}: a tap adds a circle there for everyone, pinches and drags add none`, async ({ openPhone, openPage, board }) => {
    const phone = new BoardPage(await openPhone(device, `/b/${board}`));
    const desktop = new BoardPage(await openPage({ path: `/b/${board}` }));
    await phone.join("PH");
    await desktop.join("DK");
    const touch = await TouchScreen.of(phone.page);
    const stage = await box(phone.page.locator("#stage"));
    const centre = { x: stage.x + stage.width / 2, y: stage.y + stage.height / 2 };

    // Pinch out, fingers spreading to three times as far apart: the board grows about them.
    const before = await box(phone.canvas);
    await touch.gesture(
      [
        { x: centre.x - 30, y: centre.y },
        { x: centre.x + 30, y: centre.y },
      ],
      [
        { x: centre.x - 90, y: centre.y },
        { x: centre.x + 90, y: centre.y },
      ],
    );
    const zoomed = await box(phone.canvas);
    expect(zoomed.width / before.width).toBeCloseTo(3, 1);

    // One finger drags the board along with it.
    await touch.gesture([{ x: centre.x + 40, y: centre.y + 20 }], [{ x: centre.x - 40, y: centre.y - 10 }]);
    const dragged = await box(phone.canvas);
    expect(dragged.width).toBeCloseTo(zoomed.width, 3);
    expect(dragged.x - zoomed.x).toBeCloseTo(-80, 0);
    expect(dragged.y - zoomed.y).toBeCloseTo(-30, 0);

    // A finger that barely moves is a tap, at the board point under it.
    const at = await onScreen(phone, 1000, 500);
    await touch.gesture([at], [{ x: at.x + 3, y: at.y + 2 }], 2);
    await desktop.expectDrawn(1);
    const [circle] = await desktop.circles();
    expect(circle).toMatchObject({ initials: "PH" });
    expect(circle?.x).toBeCloseTo(1000, -1);
    expect(circle?.y).toBeCloseTo(500, -1);
    await phone.expectDrawn(1);
    // Only the tap's: the gestures before it added nothing.
    expect(await phone.circles()).toEqual(await desktop.circles());
  });
}

test("pinching back out stops at the whole board", async ({ openPhone, board }) => {
  const phone = new BoardPage(await openPhone("Pixel 7", `/b/${board}`));
  await phone.join("PH");
  const touch = await TouchScreen.of(phone.page);
  const stage = await box(phone.page.locator("#stage"));
  const y = stage.y + stage.height / 2;
  await touch.gesture(
    [
      { x: 60, y },
      { x: 350, y },
    ],
    [
      { x: 200, y },
      { x: 210, y },
    ],
  );
  const canvas = await box(phone.canvas);
  expect(canvas.width).toBeLessThanOrEqual(stage.width);
  expect(canvas.width).toBeGreaterThan(stage.width * 0.9);
  expect(canvas.y + canvas.height / 2).toBeCloseTo(y, 0);
});
