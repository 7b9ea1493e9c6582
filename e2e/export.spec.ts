/**
 * Export PNG and Export SVG: files of the whole 1920×1080 board with its
 * circles and their initials, whatever this screen shows of it.
 */
import type { Download, Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import type { Circle } from "../lib/protocol/events.js";
import { BoardPage, blendOverBoard, distance, insidePoint, type Pixel } from "./support/board-page.js";
import { expect } from "./support/fixtures.js";
import { test, TouchScreen } from "./support/touch.js";

async function exported(page: Page, button: string): Promise<{ download: Download; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
  const path = await download.path();
  return { download, bytes: await readFile(path) };
}

/** Width and height from a PNG's header: the signature, then the IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Just enough of the DOM for reading an image's pixels inside `evaluate` (the test tsconfig has no DOM types). */
interface DomLike {
  Image: new () => { src: string; decode(): Promise<void>; width: number; height: number };
  document: {
    createElement(tag: "canvas"): {
      width: number;
      height: number;
      getContext(kind: "2d"): {
        drawImage(image: unknown, x: number, y: number): void;
        getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
      } | null;
    };
  };
}

/** The PNG's pixels at board points, decoded by the browser on a blank page (the board's own policy lets in no data: images). */
function pngPixels(blank: Page, bytes: Buffer, points: readonly (readonly [number, number])[]): Promise<Pixel[]> {
  return blank.evaluate(
    async ([base64, spots]) => {
      const dom = globalThis as unknown as DomLike;
      const image = new dom.Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = dom.document.createElement("canvas");
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext("2d");
      if (!context) throw new Error("no 2d canvas");
      context.drawImage(image, 0, 0);
      return spots.map(([x, y]) => Array.from(context.getImageData(Math.floor(x), Math.floor(y), 1, 1).data) as Pixel);
    },
    [bytes.toString("base64"), points] as const,
  );
}

interface ParsedSvg {
  errors: number;
  root: string;
  width: string | null;
  height: string | null;
  circles: { cx: string | null; cy: string | null }[];
  texts: string[];
}

/** Just enough of DOMParser for `evaluate`. */
interface ParserLike {
  DOMParser: new () => {
    parseFromString(
      text: string,
      type: string,
    ): {
      documentElement: { localName: string; getAttribute(name: string): string | null };
      getElementsByTagName(name: string): ArrayLike<{ textContent: string | null; getAttribute(name: string): string | null }>;
    };
  };
}

/** Parsed on a blank page: the board's policy (Trusted Types) allows no parsing of markup. */
function parseSvg(blank: Page, text: string): Promise<ParsedSvg> {
  return blank.evaluate((markup) => {
    const doc = new (globalThis as unknown as ParserLike).DOMParser().parseFromString(markup, "image/svg+xml");
    const all = (name: string) => Array.from(doc.getElementsByTagName(name));
    return {
      errors: all("parsererror").length,
      root: doc.documentElement.localName,
      width: doc.documentElement.getAttribute("width"),
      height: doc.documentElement.getAttribute("height"),
      circles: all("circle").map((c) => ({ cx: c.getAttribute("cx"), cy: c.getAttribute("cy") })),
      texts: all("text").map((t) => t.textContent ?? ""),
    };
  }, text);
}

async function drawTwo(player: BoardPage): Promise<Circle[]> {
  return [await player.drawAt(400, 300), await player.drawAt(1500, 800)];
}

test("Export PNG saves the whole board at 1920×1080, circles where they are", async ({ openPage, board }) => {
  const player = new BoardPage(await openPage({ path: `/b/${board}` }));
  await player.join("EX");
  const circles = await drawTwo(player);

  const { download, bytes } = await exported(player.page, "Export PNG");
  expect(download.suggestedFilename()).toBe(`circles-${board}.png`);
  expect(pngSize(bytes)).toEqual({ width: 1920, height: 1080 });

  const points = [...circles.map(insidePoint), [960, 20] as const, [20, 1060] as const];
  const pixels = await pngPixels(await openPage(), bytes, points);
  circles.forEach((circle, i) => expect(distance(pixels[i] ?? [0, 0, 0, 0], blendOverBoard(circle.rgba))).toBeLessThanOrEqual(4));
  expect(pixels.slice(2)).toEqual([
    [255, 255, 255, 255],
    [255, 255, 255, 255],
  ]);
});

test("Export SVG saves a document that parses, 1920×1080, with every circle and its initials", async ({ openPage, board }) => {
  const player = new BoardPage(await openPage({ path: `/b/${board}` }));
  await player.join("SV");
  const circles = await drawTwo(player);

  const { download, bytes } = await exported(player.page, "Export SVG");
  expect(download.suggestedFilename()).toBe(`circles-${board}.svg`);
  const svg = await parseSvg(await openPage(), bytes.toString("utf8"));
  expect(svg).toMatchObject({ errors: 0, root: "svg", width: "1920", height: "1080", texts: ["SV", "SV"] });
  expect(svg.circles).toEqual(circles.map((c) => ({ cx: String(c.x), cy: String(c.y) })));
});

test("a phone zoomed in on the board still exports all of it", async ({ openPhone, board }) => {
  const player = new BoardPage(await openPhone("Pixel 7", `/b/${board}`));
  await player.join("PH");
  const stage = await player.page.locator("#stage").boundingBox();
  if (!stage) throw new Error("no stage");
  const y = stage.y + stage.height / 2;
  const touch = await TouchScreen.of(player.page);
  await touch.gesture(
    [
      { x: 180, y },
      { x: 230, y },
    ],
    [
      { x: 100, y },
      { x: 310, y },
    ],
  );

  // On a phone, Export is in the "More actions" menu.
  await player.page.getByRole("button", { name: "More actions" }).click();
  const { bytes } = await exported(player.page, "Export PNG");
  expect(pngSize(bytes)).toEqual({ width: 1920, height: 1080 });
});
