/**
 * What the canvas shows when many changes land in one frame: the renderer
 * paints only what changed, and that must end in the same picture as
 * painting everything again. A board that holds only three circles makes
 * every add evict one; the changes are held back on the wire and let through
 * together, so that they reach the page within one frame.
 */
import type { Page } from "@playwright/test";
import type { Circle, CircleInput } from "../lib/protocol/events.js";
import { BoardPage } from "./support/board-page.js";
import { expect, test } from "./support/fixtures.js";
import { openLessonClient, plainCircle, type LessonClient } from "./support/lesson-client.js";
import { tapSocket, type SocketTap } from "./support/socket-tap.js";

test.use({ serverEnv: { MAX_CIRCLES: "3", RATE_LIMIT_PER_SECOND: "1000", RATE_LIMIT_BURST: "1000" } });

/** A page on the board, with a tap on its socket. */
async function watcher(openPage: () => Promise<Page>, board: string) {
  const page = await openPage();
  const tap = await tapSocket(page);
  const view = new BoardPage(page);
  await view.goto(`/b/${board}`);
  await view.expectConnected();
  await expect.poll(() => tap.upgraded, { message: "Socket.IO should move onto the WebSocket" }).toBe(true);
  return { view, tap };
}

/** Hold what the server sends, run `changes`, and let it all through once the server has sent everything. */
async function inOneFrame(tap: SocketTap, changes: () => Promise<void>): Promise<void> {
  tap.hold();
  await changes();
  let seen = -1;
  await expect
    .poll(
      () => {
        const settled = tap.held > 0 && tap.held === seen;
        seen = tap.held;
        return settled;
      },
      { intervals: [150] },
    )
    .toBe(true);
  tap.release();
}

async function addAll(writer: LessonClient, inputs: CircleInput[]): Promise<Circle[]> {
  const added: Circle[] = [];
  for (const input of inputs) added.push(await writer.add(input));
  return added;
}

/** A distinct colour per circle, so a wrong pixel says whose it is. */
const hue = (i: number) => `rgba(${(i * 53) % 200}, ${(i * 97) % 200}, ${200 - ((i * 31) % 200)}, 0.8)`;

test("circles evicted in the frame they arrived in leave no trace", async ({ openPage, board, server }) => {
  const { view, tap } = await watcher(openPage, board);
  const writer = await openLessonClient(server.url, board);
  try {
    let added: Circle[] = [];
    await inOneFrame(tap, async () => {
      const spots = Array.from({ length: 15 }, (_, i) => plainCircle(150 + (i % 5) * 200, 200 + Math.floor(i / 5) * 250, { rgba: hue(i) }));
      added = await addAll(writer, spots);
    });
    await view.expectDrawn(3, added.slice(0, 12));
    expect((await view.circles()).map((c) => c.id)).toEqual(added.slice(12).map((c) => c.id));
  } finally {
    writer.close();
  }
});

test("where evicted circles were, what lay above and below them is repainted", async ({ openPage, board, server }) => {
  const { view, tap } = await watcher(openPage, board);
  const writer = await openLessonClient(server.url, board);
  try {
    const [first, second, third] = await addAll(writer, [
      plainCircle(600, 500, { dia: 240, rgba: hue(1) }),
      plainCircle(760, 540, { dia: 240, rgba: hue(2) }), // over part of the first
      plainCircle(1700, 200, { dia: 120, rgba: hue(3) }),
    ]);
    await view.expectDrawn(3);
    // The first goes: the second, which stays, is repainted where they overlapped, under the newcomer.
    let newcomer: Circle[] = [];
    await inOneFrame(tap, async () => {
      newcomer = await addAll(writer, [plainCircle(560, 580, { dia: 200, rgba: hue(4) })]);
    });
    await view.expectDrawn(3, [first!]);
    // Three go in one frame, each under a newcomer.
    await inOneFrame(tap, async () => {
      await addAll(writer, [
        plainCircle(700, 520, { dia: 240, rgba: hue(5) }),
        plainCircle(1650, 260, { dia: 240, rgba: hue(6) }),
        plainCircle(500, 650, { dia: 120, rgba: hue(7) }),
      ]);
    });
    await view.expectDrawn(3, [first!, second!, third!, ...newcomer]);
  } finally {
    writer.close();
  }
});

test("a clear followed by new circles in the same frame shows only the new ones", async ({ openPage, board, server }) => {
  const { view, tap } = await watcher(openPage, board);
  const writer = await openLessonClient(server.url, board);
  try {
    const before = await addAll(writer, [plainCircle(400, 400, { rgba: hue(1) }), plainCircle(1400, 700, { rgba: hue(2) })]);
    await view.expectDrawn(2);
    let after: Circle[] = [];
    await inOneFrame(tap, async () => {
      await writer.clear();
      after = await addAll(writer, [plainCircle(420, 420, { rgba: hue(3) }), plainCircle(900, 300, { rgba: hue(4) })]);
    });
    await view.expectDrawn(2, before);
    expect((await view.circles()).map((c) => c.id)).toEqual(after.map((c) => c.id));
  } finally {
    writer.close();
  }
});
