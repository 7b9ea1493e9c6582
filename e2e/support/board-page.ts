/**
 * The circles page as a test sees it: role and label locators for what a
 * player uses, plus read-only peeks at the client's state
 * (`window.circlesDebug`) and at the canvas pixels.
 */
import { expect, type Locator, type Page } from "@playwright/test";
import type { Circle } from "../../lib/protocol/events.js";
import { BOARD_HEIGHT, BOARD_WIDTH } from "../../lib/protocol/rules.js";

/** The slice of `window.circlesDebug` the tests read (see public/client/debug.ts). */
interface CirclesDebug {
  board: string;
  circles(): Circle[];
  pending(): Circle[];
  players(): string[];
  initials(): string | null;
  connected(): boolean;
  seq(): number | undefined;
}

/** Just enough of the DOM's canvas for reading pixels inside `evaluate` (the test tsconfig has no DOM types). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

export type Pixel = [r: number, g: number, b: number, a: number];

export const BOARD_BACKGROUND: Pixel = [255, 255, 255, 255];

export class BoardPage {
  constructor(readonly page: Page) {}

  get initialsInput(): Locator {
    return this.page.getByLabel("Initials");
  }

  get players(): Locator {
    return this.page.getByRole("list", { name: "Players", exact: true });
  }

  get canvas(): Locator {
    return this.page.locator("canvas#board");
  }

  /** Where this page's taps not yet on the board are drawn, over it (`data-pending-count`). */
  get pendingLayer(): Locator {
    return this.page.locator("canvas#board-pending");
  }

  /** The "You are AB" chip. */
  get identity(): Locator {
    return this.page.locator("#identity");
  }

  get status(): Locator {
    return this.page.locator("#connection");
  }

  async goto(path: string): Promise<void> {
    await this.page.goto(path);
  }

  async expectConnected(): Promise<void> {
    await expect(this.status).toHaveAttribute("data-state", "connected");
    await expect(this.status).toHaveText("Connected");
  }

  /** Choose initials in the form and wait until the server lists us. */
  async join(initials: string): Promise<void> {
    await this.expectConnected();
    await expect(this.initialsInput).toBeVisible();
    await this.initialsInput.fill(initials);
    await this.page.getByRole("button", { name: "Start drawing" }).click();
    await expect(this.identity).toBeVisible();
    await expect(this.identity).toContainText(initials.toUpperCase());
    await this.expectPlayer(initials.toUpperCase());
  }

  playerItem(name: string): Locator {
    return this.players.getByRole("listitem").filter({ hasText: new RegExp(`^${name}$`) });
  }

  async expectPlayer(name: string): Promise<void> {
    await expect(this.playerItem(name)).toHaveCount(1);
  }

  /** Exactly these players, in any order. */
  async expectPlayers(names: string[]): Promise<void> {
    for (const name of names) await this.expectPlayer(name);
    await expect(this.players.getByRole("listitem")).toHaveCount(names.length);
  }

  /** Click the board at logical board coordinates, whatever the canvas's size on screen. */
  async clickBoard(x: number, y: number): Promise<void> {
    const box = await this.canvas.boundingBox();
    if (!box) throw new Error("the board is not visible");
    await this.canvas.click({ position: { x: (x / BOARD_WIDTH) * box.width, y: (y / BOARD_HEIGHT) * box.height } });
  }

  /** Click, then wait until our own circle is on our board. */
  async drawAt(x: number, y: number): Promise<Circle> {
    const before = (await this.circles()).length;
    await this.clickBoard(x, y);
    await expect.poll(async () => (await this.circles()).length).toBe(before + 1);
    const circle = (await this.circles()).at(-1);
    if (!circle) throw new Error("no circle was drawn");
    return circle;
  }

  circles(): Promise<Circle[]> {
    return this.page.evaluate(() => (globalThis as unknown as { circlesDebug: CirclesDebug }).circlesDebug.circles());
  }

  /** This page's taps drawn as pending: made, not yet on the board as the server relays it. */
  pending(): Promise<Circle[]> {
    return this.page.evaluate(() => (globalThis as unknown as { circlesDebug: CirclesDebug }).circlesDebug.pending());
  }

  /** The last change the page applied. */
  seq(): Promise<number | undefined> {
    return this.page.evaluate(() => (globalThis as unknown as { circlesDebug: CirclesDebug }).circlesDebug.seq());
  }

  playerNames(): Promise<string[]> {
    return this.page.evaluate(() => (globalThis as unknown as { circlesDebug: CirclesDebug }).circlesDebug.players());
  }

  /**
   * Wait until the page holds this many circles and the canvas shows exactly
   * them: at every point the picture can be predicted (see `expectedPixel`),
   * on a grid over the whole board and inside each circle, plus inside each
   * of `gone` (circles that must have left no trace), the canvas has the
   * colour of the circles covering that point, blended in order.
   */
  async expectDrawn(count: number, gone: readonly Circle[] = []): Promise<void> {
    await expect.poll(async () => (await this.circles()).length).toBe(count);
    await expect(this.canvas).toHaveAttribute("data-circle-count", String(count));
    await expect
      .poll(
        async () => {
          const circles = await this.circles();
          const points = [...boardGrid(), ...[...circles, ...gone].map(insidePoint)];
          const pixels = await this.pixelsAt(points);
          return points.flatMap(([x, y], i) => {
            const expected = expectedPixel(circles, x, y);
            const actual = pixels[i];
            if (!expected || !actual || distance(actual, expected.pixel) <= expected.tolerance) return [];
            return [`(${x}, ${y}) is ${actual.join(",")}, expected ${expected.pixel.join(",")}`];
          });
        },
        { message: `the canvas should show exactly the page's ${count} circles` },
      )
      .toEqual([]);
  }

  /** The canvas pixels at logical board coordinates, read in one go; of the board, or of a layer over it. */
  pixelsAt(points: readonly (readonly [number, number])[], layer: Locator = this.canvas): Promise<Pixel[]> {
    return layer.evaluate(
      (element, [spots, width, height]) => {
        const canvas = element as unknown as CanvasLike;
        const data = canvas.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data;
        if (!data) throw new Error("cannot read the canvas");
        return spots.map(([lx, ly]) => {
          const px = Math.min(canvas.width - 1, Math.floor((lx / width) * canvas.width));
          const py = Math.min(canvas.height - 1, Math.floor((ly / height) * canvas.height));
          const at = (py * canvas.width + px) * 4;
          return [data[at], data[at + 1], data[at + 2], data[at + 3]] as Pixel;
        });
      },
      [points, BOARD_WIDTH, BOARD_HEIGHT] as const,
    );
  }

  /** The canvas pixel at logical board coordinates. */
  async pixelAt(x: number, y: number): Promise<Pixel> {
    const [pixel] = await this.pixelsAt([[x, y]]);
    if (!pixel) throw new Error("cannot read the canvas");
    return pixel;
  }

  /**
   * Check the canvas shows this circle: a point inside it, clear of the
   * label, has the circle's colour over the white board.
   */
  async expectCirclePainted(circle: Circle): Promise<void> {
    const [x, y] = insidePoint(circle);
    const expected = blendOverBoard(circle.rgba);
    await expect
      .poll(async () => distance(await this.pixelAt(x, y), expected), {
        message: `pixel inside circle ${circle.id} at (${x}, ${y}) should be ${expected.join(",")}`,
      })
      .toBeLessThanOrEqual(6);
  }

  /** The point where `circle` was is plain board again. */
  async expectBlankAt(circle: Circle): Promise<void> {
    const [x, y] = insidePoint(circle);
    await expect.poll(async () => distance(await this.pixelAt(x, y), BOARD_BACKGROUND)).toBe(0);
  }
}

/** Below the centre, between the label and the edge: 30% of the diameter down. */
export function insidePoint(circle: Circle): [number, number] {
  return [circle.x, Math.min(BOARD_HEIGHT - 1, circle.y + circle.dia * 0.3)];
}

/** What `rgba(r, g, b, a)` looks like painted over the white board. */
export function blendOverBoard(rgba: string): Pixel {
  const [r, g, b, a] = parseRgba(rgba);
  const over = (c: number) => Math.round(c * a + 255 * (1 - a));
  return [over(r), over(g), over(b), 255];
}

export function distance(a: Pixel, b: Pixel): number {
  return Math.max(...a.map((value, i) => Math.abs(value - (b[i] ?? 0))));
}

/** Logical units of antialiasing to stay clear of around every edge: a few device pixels at any size the tests use. */
const EDGE_MARGIN = 4;

/** Points spread over the whole board, so that a stray circle anywhere is noticed. */
function boardGrid(): [number, number][] {
  const points: [number, number][] = [];
  for (let x = 15; x < BOARD_WIDTH; x += 30) for (let y = 15; y < BOARD_HEIGHT; y += 30) points.push([x, y]);
  return points;
}

/**
 * What the board should look like at one point: white, with each circle
 * covering it blended on in drawing order, and a tolerance for rounding that
 * grows with the layers. Null where that cannot be told without the
 * browser's antialiasing and fonts: near a circle's edge or on a label.
 */
export function expectedPixel(circles: readonly Circle[], x: number, y: number): { pixel: Pixel; tolerance: number } | null {
  let pixel: Pixel = [...BOARD_BACKGROUND];
  let layers = 0;
  for (const circle of circles) {
    const r = circle.dia / 2;
    const dx = x - circle.x;
    const dy = y - circle.y;
    const d = Math.hypot(dx, dy);
    if (Math.abs(d - r) < EDGE_MARGIN) return null;
    if (d > r) continue;
    // The label sits in the middle, at most 0.74 of the diameter wide, above insidePoint.
    if (Math.abs(dx) < circle.dia * 0.45 && dy > -circle.dia * 0.3 && dy < circle.dia * 0.29) return null;
    const [r8, g8, b8, a] = parseRgba(circle.rgba);
    const over = (c: number, under: number) => Math.round(c * a + under * (1 - a));
    pixel = [over(r8, pixel[0]), over(g8, pixel[1]), over(b8, pixel[2]), 255];
    layers++;
  }
  return { pixel, tolerance: 2 + 2 * layers };
}

function parseRgba(rgba: string): [number, number, number, number] {
  const match = /^rgba\((\d+), (\d+), (\d+), ([\d.]+)\)$/.exec(rgba);
  if (!match) throw new Error(`unexpected colour ${rgba}`);
  return match.slice(1).map(Number) as [number, number, number, number];
}
