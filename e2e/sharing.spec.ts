/** Boards people can share out loud: any case of a name, a QR code of the link, and initials of any script. */
import type { Page } from "@playwright/test";
// CommonJS: under ESM its default import is the whole module, the decoder being its `default`.
import jsqr from "jsqr";
import { BoardPage } from "./support/board-page.js";
import { expect, test } from "./support/fixtures.js";

const QR_NAME = "QR code for this board's link";
const QR_PIXELS = 400;

/** Just enough of the DOM for drawing an SVG into a canvas inside `evaluate` (the test tsconfig has no DOM types). */
interface DomLike {
  Image: new () => { src: string; decode(): Promise<void> };
  document: {
    createElement(tag: "canvas"): {
      width: number;
      height: number;
      getContext(kind: "2d"): {
        fillStyle: string;
        fillRect(x: number, y: number, w: number, h: number): void;
        drawImage(image: unknown, x: number, y: number, w: number, h: number): void;
        getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
      } | null;
    };
  };
}

/**
 * What a phone's camera would read from the QR code: the SVG drawn into a
 * canvas on a blank page (the board's own policy lets in no data: images),
 * and its pixels decoded here.
 */
async function scan(blank: Page, svg: string): Promise<string | undefined> {
  const pixels = await blank.evaluate(
    async ([markup, size]) => {
      const dom = globalThis as unknown as DomLike;
      const image = new dom.Image();
      image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`;
      await image.decode();
      const canvas = dom.document.createElement("canvas");
      canvas.width = size;
      canvas.height = size;
      const context = canvas.getContext("2d");
      if (!context) throw new Error("no 2d canvas");
      context.fillStyle = "#fff";
      context.fillRect(0, 0, size, size);
      context.drawImage(image, 0, 0, size, size);
      return Array.from(context.getImageData(0, 0, size, size).data);
    },
    [svg, QR_PIXELS] as const,
  );
  return jsqr.default(Uint8ClampedArray.from(pixels), QR_PIXELS, QR_PIXELS)?.data;
}

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
  await page.addInitScript(() => {
    const target = globalThis as unknown as {
      cspViolations: string[];
      addEventListener(type: string, listener: (event: { violatedDirective: string }) => void): void;
    };
    target.cspViolations = [];
    target.addEventListener("securitypolicyviolation", (event) => target.cspViolations.push(event.violatedDirective));
  });
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
  expect(await scan(await openPage(), svg)).toBe(link);

  // Closed again by the same toggle; nothing it showed broke the page's policy.
  await page.getByText("QR code", { exact: true }).click();
  await expect(qr).toBeHidden();
  expect(await page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
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
