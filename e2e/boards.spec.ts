/** Boards: separate rooms, fresh random boards, shareable links, and the 404 page. */
import { BoardPage } from "./support/board-page.js";
import { expect, test } from "./support/fixtures.js";

test("two boards in two tabs stay apart", async ({ openPage, board }) => {
  const one = new BoardPage(await openPage({ path: `/b/${board}-one` }));
  const two = new BoardPage(await openPage({ path: `/b/${board}-two` }));
  await expect(one.page).toHaveTitle(`circles · ${board}-one`);
  await expect(two.page.locator("#board-name")).toHaveText(`${board}-two`);

  await one.join("ON");
  await two.join("TW");
  await one.drawAt(960, 540);
  const theirs = await two.drawAt(300, 200);

  await one.expectPlayers(["ON"]);
  await two.expectPlayers(["TW"]);
  // Two drew after one's circle was broadcast, so had it leaked to two it would
  // have come before two's own circle on two's connection: it is not there.
  await two.expectDrawn(1);
  await one.expectDrawn(1);
  expect((await two.circles()).map((c) => c.id)).toEqual([theirs.id]);

  // Clearing one board leaves the other alone. Two's next circle comes back
  // after anything the clear could have sent two's way.
  await one.page.getByRole("button", { name: "Clear" }).click();
  await one.expectDrawn(0);
  const sentinel = await two.drawAt(1500, 800);
  expect((await two.circles()).map((c) => c.id)).toEqual([theirs.id, sentinel.id]);
  await two.expectDrawn(2);
  await two.expectCirclePainted(theirs);
  await one.expectDrawn(0);
});

test("the default board lives at /", async ({ page }) => {
  const home = new BoardPage(page);
  await home.goto("/");
  await expect(page).toHaveTitle("circles · default");
  await expect(page.locator("#board-name")).toHaveText("default");
  await home.join("HM");
});

test("New board goes to a fresh, hard-to-guess board with a name you can read out", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await ann.drawAt(500, 500);

  await ann.page.getByRole("button", { name: "New board" }).click();
  await ann.page.waitForURL(/\/b\/[a-z]{5}-[a-z]{5}-[a-z]{5}$/);
  const fresh = new URL(ann.page.url()).pathname.split("/").at(-1) ?? "";
  await expect(ann.page.locator("#board-name")).toHaveText(fresh);
  await ann.expectConnected();
  await ann.expectDrawn(0);
  // Initials are remembered across boards.
  await expect(ann.initialsInput).toBeHidden();
  await ann.expectPlayers(["AN"]);

  // Every press makes a different board.
  await ann.page.getByRole("button", { name: "New board" }).click();
  await ann.page.waitForURL((url) => url.pathname !== `/b/${fresh}` && /^\/b\/[a-z]{5}-[a-z]{5}-[a-z]{5}$/.test(url.pathname));
});

test("Copy link puts the board's URL on the clipboard, and the link opens the same board", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}`, permissions: ["clipboard-read", "clipboard-write"] }));
  await ann.join("AN");
  const drawn = [await ann.drawAt(400, 300), await ann.drawAt(1500, 750)];

  await ann.page.getByRole("button", { name: "Copy link" }).click();
  await expect(ann.page.getByText("Link copied")).toBeVisible();
  const link = await ann.page.evaluate(() =>
    (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText(),
  );
  expect(link).toBe(ann.page.url());
  expect(new URL(link).pathname).toBe(`/b/${board}`);

  const friend = new BoardPage(await openPage({ path: link }));
  await expect(friend.page.locator("#board-name")).toHaveText(board);
  await friend.expectDrawn(2);
  for (const circle of drawn) await friend.expectCirclePainted(circle);
  await friend.join("FR");
  await ann.expectPlayers(["AN", "FR"]);
});

test("unknown pages and bad board names get the friendly 404 page", async ({ openPage, pageErrors }) => {
  pageErrors.allow(/status of 404/);
  const page = await openPage();
  for (const path of ["/no/such/page", "/b/Not%20A%20Board!"]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Nothing to draw here" })).toBeVisible();
    await expect(page).toHaveTitle(/circles/);
  }
  await page.getByRole("link", { name: "Go to the main board" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await expect(page.getByLabel("Initials")).toBeVisible();
});
