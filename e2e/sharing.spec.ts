/** Boards people can share out loud: any case of a name, a QR code of the link, and initials of any script. */
import { BoardPage } from "./support/board-page.js";
import { cspViolations, recordCspViolations } from "./support/csp.js";
import { expect, test } from "./support/fixtures.js";
import { QR_NAME, scanSvg } from "./support/qr-scan.js";

test("a board name in any case ends on its lowercase page, query kept", async ({ page }) => {
  const board = new BoardPage(page);
  const response = await page.goto("/b/Math101?from=projector");
  expect(response?.status()).toBe(200);
  const url = new URL(page.url());
  expect(url.pathname).toBe("/b/math101");
  expect(url.search).toBe("?from=projector");
  await expect(page).toHaveTitle("circles · math101");
  await expect(page.locator("#board-name")).toHaveText("math101");
  await board.expectConnected();
});

test("the QR code shows the board's link, and a camera reads that link", async ({ openPage, board }) => {
  const page = await openPage();
  await recordCspViolations(page);
  const player = new BoardPage(page);
  await player.goto(`/b/${board.toUpperCase()}`);
  await player.expectConnected();
  const link = new URL(`/b/${board}`, page.url()).href;
  expect(page.url()).toBe(link);

  const qr = page.getByRole("img", { name: QR_NAME });
  await expect(qr).toBeHidden();
  await page.getByText("QR code", { exact: true }).click();
  await expect(qr).toBeVisible();
  expect(await qr.evaluate((element) => (element as unknown as { tagName: string }).tagName)).toBe("svg");
  await expect(page.locator("#qr-link")).toHaveText(link);

  const svg = await qr.evaluate((element) => (element as unknown as { outerHTML: string }).outerHTML);
  expect(await scanSvg(await openPage(), svg)).toBe(link);

  // Closed again by the same toggle; nothing it showed broke the page's policy.
  await page.getByText("QR code", { exact: true }).click();
  await expect(qr).toBeHidden();
  expect(await cspViolations(page)).toEqual([]);
});

test("initials 李明 reach another page: in the players list and on a circle", async ({ openPage, board }) => {
  const li = new BoardPage(await openPage({ path: `/b/${board}` }));
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await li.join("李明");
  await bob.join("bo");
  await bob.expectPlayers(["李明", "BO"]);

  const drawn = await li.drawAt(700, 400);
  expect(drawn.initials).toBe("李明");
  await bob.expectDrawn(1);
  expect((await bob.circles()).map((c) => c.initials)).toEqual(["李明"]);
  await bob.expectCirclePainted(drawn);

  // Remembered as typed, after a reload.
  await li.page.reload();
  await li.expectConnected();
  await expect(li.identity).toContainText("李明");
});

test("initials with an invisible character are refused, saying why", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.expectConnected();
  await ann.initialsInput.fill("A\u200dB");
  await ann.page.getByRole("button", { name: "Start drawing" }).click();
  await expect(ann.page.getByText("no spaces, symbols or invisible characters")).toBeVisible();
  await expect(ann.initialsInput).toHaveAttribute("aria-invalid", "true");
  await expect(ann.identity).toBeHidden();
});
