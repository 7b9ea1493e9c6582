/**
 * Taking things back, with two real pages (two browsers, each with its own
 * localStorage and so its own player key): Undo and Ctrl+Z remove only your
 * own circles, a clear can be undone for a while by either page, and the
 * maker of a New board can lock Clear for everyone else.
 */
import { BoardPage } from "./support/board-page.js";
import { expect, test } from "./support/fixtures.js";

const ids = async (page: BoardPage) => (await page.circles()).map((circle) => circle.id);

test("Undo and Ctrl+Z remove your own circles, newest first, on both pages, and never the other player's", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await bob.join("BO");
  const first = await ann.drawAt(300, 300);
  const second = await ann.drawAt(600, 300);
  const bobs = await bob.drawAt(900, 300);
  await ann.expectDrawn(3);

  await ann.page.getByRole("button", { name: "Undo", exact: true }).click();
  await bob.expectDrawn(2, [second]);
  await ann.expectDrawn(2, [second]);
  expect(await ids(bob)).toEqual([first.id, bobs.id]);

  await ann.canvas.focus();
  await ann.page.keyboard.press("Control+z");
  await bob.expectDrawn(1, [first]);
  await ann.expectDrawn(1, [first]);
  expect(await ids(ann)).toEqual([bobs.id]);

  // Nothing of Ann's is left: Bob's circle stays, and Ann is told.
  await ann.page.keyboard.press("Control+z");
  await expect(ann.page.locator("#toast")).toHaveText("Not undone: nothing of yours to undo");
  expect(await ids(bob)).toEqual([bobs.id]);

  // A circle stays Ann's across a reload: her browser keeps its key.
  const third = await ann.drawAt(1200, 600);
  await ann.page.reload();
  await ann.expectConnected();
  await ann.expectDrawn(2);
  await ann.page.getByRole("button", { name: "Undo", exact: true }).click();
  await bob.expectDrawn(1, [third]);
  expect(await ids(bob)).toEqual([bobs.id]);
});

test("a clear tells the other page who cleared, and Undo clear brings every circle back on both", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await bob.join("BO");
  await ann.drawAt(300, 300);
  await bob.drawAt(700, 500);
  await ann.drawAt(1100, 700);
  await bob.expectDrawn(3);
  const before = await ids(bob);

  await ann.page.getByRole("button", { name: "Clear", exact: true }).click();
  await bob.expectDrawn(0);
  await ann.expectDrawn(0);
  const notice = bob.page.locator("#clear-notice");
  await expect(notice).toContainText("AN cleared the board");
  await expect(ann.page.locator("#clear-notice")).toContainText("You cleared the board");

  await notice.getByRole("button", { name: "Undo clear" }).click();
  await bob.expectDrawn(3);
  await ann.expectDrawn(3);
  expect(await ids(ann)).toEqual(before);
  expect(await ids(bob)).toEqual(before);
  // Undone for everyone: neither page offers it any more.
  await expect(notice).toBeHidden();
  await expect(ann.page.locator("#clear-notice")).toBeHidden();
});

test("the maker of a New board locks Clear: the other page's Clear is disabled until it is unlocked", async ({ openPage }) => {
  const teacher = new BoardPage(await openPage({ path: "/" }));
  await teacher.expectConnected();
  await teacher.page.getByRole("button", { name: "New board" }).click();
  await expect(teacher.page).toHaveURL(/\/b\/[a-z]+-[a-z]+-[a-z]+$/);
  await teacher.join("TE");
  const lock = teacher.page.getByRole("button", { name: "Lock Clear" });
  await expect(lock).toBeVisible();

  const pupil = new BoardPage(await openPage({ path: new URL(teacher.page.url()).pathname }));
  await pupil.join("PU");
  await pupil.drawAt(500, 500);
  const pupilsClear = pupil.page.getByRole("button", { name: "Clear", exact: true });
  await expect(pupilsClear).toBeEnabled();
  await expect(pupil.page.getByRole("button", { name: /Lock Clear|Unlock Clear/ })).toBeHidden();

  await lock.click();
  await expect(teacher.page.getByRole("button", { name: "Unlock Clear" })).toBeVisible();
  await expect(pupilsClear).toBeDisabled();
  await expect(pupilsClear).toHaveAttribute("title", "Locked by the host");

  // The host still may clear; the pupil is told, but offered no undo.
  await teacher.page.getByRole("button", { name: "Clear", exact: true }).click();
  await pupil.expectDrawn(0);
  await expect(pupil.page.locator("#clear-notice")).toContainText("TE cleared the board");
  await expect(pupil.page.getByRole("button", { name: "Undo clear" })).toBeHidden();
  await expect(teacher.page.getByRole("button", { name: "Undo clear" })).toBeVisible();

  await teacher.page.getByRole("button", { name: "Unlock Clear" }).click();
  await expect(pupilsClear).toBeEnabled();
  await expect(pupilsClear).not.toHaveAttribute("title", /.*/);
  await pupil.drawAt(800, 400);
  await pupilsClear.click();
  await teacher.expectDrawn(0);
});
