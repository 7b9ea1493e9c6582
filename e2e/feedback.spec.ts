/** What the server refuses is told to the player in a small status message, not thrown away. */
import { BoardPage } from "./support/board-page.js";
import { expect, test } from "./support/fixtures.js";

/** Just enough DOM for dispatching pointer events inside `evaluate` (the test tsconfig has no DOM types). */
interface CanvasElementLike {
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
  dispatchEvent(event: unknown): boolean;
}

test("a rate-limited click is reported in a toast and the board stays consistent", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await bob.join("BO");

  // Sixty taps in one go: far over the server's burst allowance.
  const taps = 60;
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

  await expect(ann.page.getByRole("status").filter({ hasText: "Circle not added: rate limited" })).toBeVisible();
  // Refusals are answered at once, accepted circles after they are stored: wait for the answers to settle.
  let settled = -1;
  await expect
    .poll(
      async () => {
        const count = (await ann.circles()).length;
        const stable = count === settled;
        settled = count;
        return stable;
      },
      { intervals: [500] },
    )
    .toBe(true);
  const drawn = await ann.circles();
  expect(drawn.length).toBeGreaterThan(0);
  expect(drawn.length).toBeLessThan(taps);
  // Only accepted circles exist, and everyone has the same ones.
  await bob.expectDrawn(drawn.length);
  expect((await bob.circles()).map((c) => c.id)).toEqual(drawn.map((c) => c.id));
});
