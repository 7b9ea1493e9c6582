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

interface AckValve {
  /** From now on, keep acks from the server back instead of passing them to the page. */
  hold(): void;
  /** Pass on every ack held back, in order, and stop holding. */
  release(): void;
  /** How many acks are waiting. */
  readonly held: number;
  /** True once Socket.IO has moved this page onto the WebSocket, where the valve sits. */
  readonly upgraded: boolean;
}

/** Sit between the page and the server on Socket.IO's WebSocket. Call before the page loads the board. */
async function ackValve(page: Page): Promise<AckValve> {
  let holding = false;
  let upgraded = false;
  const held: (() => void)[] = [];
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (message === "5") upgraded = true; // Engine.IO's "upgrade": polling is done, all traffic is here now
      server.send(message);
    });
    server.onMessage((message) => {
      // "4" is an Engine.IO message, "3" a Socket.IO ack: `43<id>[...]`.
      if (holding && typeof message === "string" && /^43\d/.test(message)) held.push(() => ws.send(message));
      else ws.send(message);
    });
  });
  return {
    hold: () => void (holding = true),
    release() {
      holding = false;
      for (const send of held.splice(0)) send();
    },
    get held() {
      return held.length;
    },
    get upgraded() {
      return upgraded;
    },
  };
}

/** Two players on one board; Ann's acks go through a valve. */
async function twoPlayers(openPage: (options?: { path?: string }) => Promise<Page>, board: string) {
  const annPage = await openPage();
  const valve = await ackValve(annPage);
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

  valve.hold();
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

  valve.hold();
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
