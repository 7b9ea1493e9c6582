/**
 * Several players on one board, each in their own browser context: they see
 * each other, each other's circles (in the client's state and as pixels on
 * the canvas), and each other's clears.
 */
import { BoardPage } from "./support/board-page.js";
import { expect, test } from "./support/fixtures.js";

test("two players join with different initials and both see both names", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));

  await ann.join("an");
  await bob.join("BO");

  await ann.expectPlayers(["AN", "BO"]);
  await bob.expectPlayers(["AN", "BO"]);
  // The pill for yourself is marked; the other one is not.
  await expect(ann.playerItem("AN")).toHaveClass(/is-self/);
  await expect(ann.playerItem("BO")).not.toHaveClass(/is-self/);
});

test("a click in one browser draws the circle in the other", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await bob.join("BO");
  await bob.expectDrawn(0);

  const circle = await ann.drawAt(480, 540);
  expect(circle).toMatchObject({ initials: "AN" });
  expect(circle.x).toBeCloseTo(480, -1);
  expect(circle.y).toBeCloseTo(540, -1);
  expect(circle.rgba).toMatch(/^rgba\(\d+, \d+, \d+, [\d.]+\)$/);
  expect(circle.dia).toBeGreaterThanOrEqual(20);
  expect(circle.dia).toBeLessThanOrEqual(120);

  await bob.expectDrawn(1);
  expect(await bob.circles()).toEqual([circle]);
  await bob.expectCirclePainted(circle);
  await ann.expectCirclePainted(circle);

  // And back the other way.
  const reply = await bob.drawAt(1400, 300);
  await ann.expectDrawn(2);
  await ann.expectCirclePainted(reply);
  expect((await ann.circles()).map((c) => c.id)).toEqual([circle.id, reply.id]);
});

test("Clear empties the board in every browser", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await bob.join("BO");

  const first = await ann.drawAt(400, 400);
  const second = await bob.drawAt(1300, 700);
  await ann.expectDrawn(2);
  await bob.expectDrawn(2);

  await bob.page.getByRole("button", { name: "Clear" }).click();

  for (const player of [ann, bob]) {
    await player.expectDrawn(0);
    await player.expectBlankAt(first);
    await player.expectBlankAt(second);
  }
  // Still usable afterwards.
  const after = await ann.drawAt(900, 500);
  await bob.expectDrawn(1);
  await bob.expectCirclePainted(after);
});

test("closing a tab removes that player from the others' list", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await bob.join("BO");
  await ann.expectPlayers(["AN", "BO"]);

  await bob.page.close();

  await ann.expectPlayers(["AN"]);
});

test("a browser that opens the board late sees the circles already drawn", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await bob.join("BO");
  const drawn = [await ann.drawAt(300, 300), await bob.drawAt(960, 540), await ann.drawAt(1600, 800)];

  const cat = new BoardPage(await openPage({ path: `/b/${board}` }));
  await cat.expectConnected();
  await cat.expectDrawn(3);
  expect((await cat.circles()).map((c) => c.id)).toEqual(drawn.map((c) => c.id));
  for (const circle of drawn) await cat.expectCirclePainted(circle);
  // Cat has not chosen initials yet, so is asked for them and not listed.
  await expect(cat.initialsInput).toBeVisible();
  await cat.expectPlayers(["AN", "BO"]);
});
