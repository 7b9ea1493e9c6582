/**
 * The board as a file: a PNG or an SVG of all 1920×1080 of it, as everyone
 * sees it (whatever this screen is zoomed to), painted the way the canvas
 * paints it (BoardView). The SVG is built as text, every string in it escaped,
 * so initials can only ever be text.
 */
import type { Circle } from "../../../lib/protocol/events.js";
import { BOARD_HEIGHT, BOARD_WIDTH } from "../../../lib/protocol/rules.js";
import { BACKGROUND_FILL, LABEL_FONT_FAMILY, LABEL_FONT_WEIGHT, type BoardView, type CircleLook } from "../board/board-view.js";
import { parseColour } from "../board/colour.js";

/** `circles-<board>.<ext>`; board names are already plain (a–z, 0–9, - and _), anything else is replaced. */
export function exportFilename(board: string, extension: "png" | "svg"): string {
  return `circles-${board.replace(/[^a-z0-9_-]/gi, "_")}.${extension}`;
}

/** Characters XML 1.0 cannot hold at all, even escaped: most controls, lone surrogates, U+FFFE and U+FFFF. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Text safe inside an XML element or a quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML, "").replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? "");
}

/** A number as SVG wants it: finite, at most two decimals. */
function num(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n * 100) / 100) : "0";
}

function hex(byte: number): string {
  return Math.round(byte).toString(16).padStart(2, "0");
}

/**
 * An SVG document of the board: the background, then each circle and its
 * label in drawing order, so later circles cover earlier labels as they do
 * on the canvas. Every label is kept, even ones too small for the canvas to
 * bother with: an SVG can be zoomed.
 */
export function boardSvg(circles: Iterable<Circle>, look: (circle: Circle) => CircleLook, title: string): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${BOARD_WIDTH}" height="${BOARD_HEIGHT}" viewBox="0 0 ${BOARD_WIDTH} ${BOARD_HEIGHT}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${BOARD_WIDTH}" height="${BOARD_HEIGHT}" fill="${BACKGROUND_FILL}"/>`,
    `<g font-family="${escapeXml(LABEL_FONT_FAMILY)}" font-weight="${LABEL_FONT_WEIGHT}" text-anchor="middle">`,
  ];
  for (const circle of circles) {
    const paint = look(circle);
    // rgb plus fill-opacity rather than rgba(), which older SVG tools do not read.
    const colour = parseColour(paint.fill) ?? { r: 148, g: 163, b: 184, a: 0.8 };
    const fill = `#${hex(colour.r)}${hex(colour.g)}${hex(colour.b)}`;
    lines.push(
      `<circle cx="${num(circle.x)}" cy="${num(circle.y)}" r="${num(Math.max(0, circle.dia / 2))}" fill="${fill}" fill-opacity="${num(colour.a)}"/>`,
    );
    const label = escapeXml(circle.initials);
    if (label && paint.labelSize > 0) {
      lines.push(
        `<text x="${num(circle.x)}" y="${num(circle.y + paint.labelBaseline)}" font-size="${num(paint.labelSize)}" fill="${escapeXml(paint.labelColour)}">${label}</text>`,
      );
    }
  }
  lines.push("</g>", "</svg>", "");
  return lines.join("\n");
}

/** Hands a file to the browser to save. */
function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  // Some browsers read the blob after click() returns; a minute is plenty.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function exportSvg(view: BoardView, circles: Iterable<Circle>, board: string): void {
  const text = boardSvg(circles, (circle) => view.look(circle), `circles: board ${board}`);
  download(new Blob([text], { type: "image/svg+xml" }), exportFilename(board, "svg"));
}

/** Paints the board at one pixel per board unit on a canvas of its own and saves that as a PNG. */
export async function exportPng(view: BoardView, circles: Iterable<Circle>, board: string): Promise<void> {
  const canvas = document.createElement("canvas");
  canvas.width = BOARD_WIDTH;
  canvas.height = BOARD_HEIGHT;
  const ctx = canvas.getContext("2d", { alpha: false });
  if (!ctx) throw new Error("this browser cannot draw on a canvas");
  view.paintBackground(ctx);
  view.paintCircles(ctx, 1, circles);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png"));
  if (!blob) throw new Error("the browser could not make the PNG");
  download(blob, exportFilename(board, "png"));
}
