/**
 * What the server refuses "for now" is not thrown away: a burst of taps over
 * the rate limit waits its turn and every tap reaches the board, once. (What
 * it refuses for good is told in a toast: see offline.spec.ts.)
 */
import type { Circle } from "../lib/protocol/events.js";
import { BoardPage } from "./support/board-page.js";
import { expect, test } from "./support/fixtures.js";
import { tapSocket } from "./support/socket-tap.js";

/** Just enough DOM for dispatching pointer events inside `evaluate` (the test tsconfig has no DOM types). */
interface CanvasElementLike {
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
  dispatchEvent(event: unknown): boolean;
}

// A low limit, so that one page's taps, sent one at a time, run over it.
test.use({ serverEnv: { RATE_LIMIT_PER_SECOND: "4", RATE_LIMIT_BURST: "4" } });

const ids = (circles: readonly Circle[]) => circles.map((circle) => circle.id);

test("a burst of taps over the rate limit is drawn at once, then sent as the server allows: every tap reaches both pages once, in order", async ({
  openPage,
  board,
}) => {
  test.setTimeout(60_000);
  const annPage = await openPage();
  const tap = await tapSocket(annPage);
  const ann = new BoardPage(annPage);
  await ann.goto(`/b/${board}`);
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await bob.join("BO");

  const taps = 16;
  await ann.canvas.evaluate((element, count) => {
    const canvas = element as unknown as CanvasElementLike;
    const Pointer = (globalThis as unknown as { PointerEvent: new (type: string, init: object) => unknown }).PointerEvent;
    const rect = canvas.getBoundingClientRect();
    for (let i = 0; i < count; i++) {
      const init = {
        bubbles: true,
        pointerId: 1,
        isPrimary: true,
        button: 0,
        clientX: rect.left + ((i + 1) / (count + 1)) * rect.width,
        clientY: rect.top + rect.height / 2,
      };
      canvas.dispatchEvent(new Pointer("pointerdown", init));
      canvas.dispatchEvent(new Pointer("pointerup", init));
    }
  }, taps);

  // Every tap shows at once: pending, or already on the board, never both (read in one go).
  const { drawn, pending } = await ann.page.evaluate(() => {
    const debug = (globalThis as unknown as { circlesDebug: { circles(): Circle[]; pending(): Circle[] } }).circlesDebug;
    return { drawn: debug.circles(), pending: debug.pending() };
  });
  const tapped = [...ids(drawn), ...ids(pending)];
  expect(tapped).toHaveLength(taps);
  expect(new Set(tapped).size).toBe(taps);

  await expect
    .poll(() => tap.received.some((r) => r.kind === "ack" && (r.args[0] as { code?: string } | undefined)?.code === "rate-limited"), {
      message: "the server should have said 'not now' to some",
    })
    .toBe(true);
  await expect.poll(async () => (await ann.pending()).length, { timeout: 30_000 }).toBe(0);
  expect(ids(await ann.circles())).toEqual(tapped);
  await bob.expectDrawn(taps);
  expect(ids(await bob.circles())).toEqual(tapped);
  await expect(ann.page.locator("#toast")).not.toHaveText(/not added/);
});
