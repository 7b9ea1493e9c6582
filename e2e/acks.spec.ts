/**
 * The board in a browser follows the server's broadcasts, never the answers
 * (acks) to its own requests. The server broadcasts a change first and
 * answers the sender a little later, so another player's change can come in
 * between; here the sender's acks are held back on the wire to make that
 * happen every time, and the late ack must not undo what came in between.
 */
import { expect, type Page } from "@playwright/test";
import { BoardPage } from "./support/board-page.js";
import { test } from "./support/fixtures.js";
import { tapSocket } from "./support/socket-tap.js";

/** A Socket.IO ack on the WebSocket: an Engine.IO message ("4") holding an ack ("3"), `43<id>[...]`. */
const ACK = /^43\d/;

/** Two players on one board; Ann's socket goes through a tap that can hold her acks back. */
async function twoPlayers(openPage: (options?: { path?: string }) => Promise<Page>, board: string) {
  const annPage = await openPage();
  const valve = await tapSocket(annPage);
  const ann = new BoardPage(annPage);
  await ann.goto(`/b/${board}`);
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await bob.join("BO");
  await expect.poll(() => valve.upgraded, { message: "Socket.IO should move onto the WebSocket" }).toBe(true);
  return { ann, bob, valve };
}

test("a late ack for my clear does not wipe a circle added after it", async ({ openPage, board }) => {
  const { ann, bob, valve } = await twoPlayers(openPage, board);
  await ann.drawAt(300, 300);
  await bob.expectDrawn(1);

  valve.hold(ACK);
  await ann.page.getByRole("button", { name: "Clear" }).click();
  await ann.expectDrawn(0); // the clear's broadcast
  await expect.poll(() => valve.held).toBe(1); // and its ack, waiting
  const theirs = await bob.drawAt(1200, 600);
  await ann.expectDrawn(1);

  valve.release();
  // A round trip after the ack: once Ann has Bob's next circle, she has handled the ack too.
  const sentinel = await bob.drawAt(900, 800);
  await expect.poll(async () => (await ann.circles()).map((c) => c.id)).toEqual([theirs.id, sentinel.id]);
  await ann.expectDrawn(2);
  await ann.expectCirclePainted(theirs);
  expect(await ann.circles()).toEqual(await bob.circles());
});

test("a late ack for my circle does not bring it back after someone cleared the board", async ({ openPage, board }) => {
  const { ann, bob, valve } = await twoPlayers(openPage, board);

  valve.hold(ACK);
  const mine = await ann.drawAt(500, 500); // drawn from the broadcast alone
  await expect.poll(() => valve.held).toBe(1);
  await bob.expectDrawn(1);
  await bob.page.getByRole("button", { name: "Clear" }).click();
  await bob.expectDrawn(0);
  await ann.expectDrawn(0);

  valve.release();
  const sentinel = await bob.drawAt(1500, 300);
  await expect.poll(async () => (await ann.circles()).map((c) => c.id)).toEqual([sentinel.id]);
  await ann.expectDrawn(1);
  await ann.expectBlankAt(mine);
  expect(await ann.circles()).toEqual(await bob.circles());
});
