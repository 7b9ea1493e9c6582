import { describe, expect, it } from "vitest";
import type { Circle } from "../../../lib/protocol/events.js";
import { boardSvg, escapeXml, exportFilename } from "./board-export.js";
import type { CircleLook } from "../board/board-view.js";

let nextId = 1;
function circle(overrides: Partial<Circle> = {}): Circle {
  return { id: `c${nextId++}`, initials: "AB", x: 100, y: 200, dia: 40, rgba: "rgba(10, 20, 30, 0.8)", createdAt: 1, ...overrides };
}

/** What BoardView.look gives, without a canvas to measure with. */
const look = (c: Circle): CircleLook => ({ fill: c.rgba, labelColour: "#111827", labelSize: c.dia * 0.42, labelBaseline: c.dia * 0.15 });

describe("escapeXml", () => {
  it("escapes the five characters that mean something in XML", () => {
    expect(escapeXml(`<b>&"'`)).toBe("&lt;b&gt;&amp;&quot;&apos;");
  });

  it("drops characters XML cannot hold, keeps every script", () => {
    expect(escapeXml("A\u0000B\u001bC\uFFFE\uD800D")).toBe("ABCD");
    expect(escapeXml("李明 ÅB 👍\t")).toBe("李明 ÅB 👍\t");
  });

  it("escapes an ampersand once, whatever follows it", () => {
    expect(escapeXml("&amp;")).toBe("&amp;amp;");
  });
});

describe("boardSvg", () => {
  it("is a 1920×1080 SVG with the background, each circle and its initials", () => {
    const svg = boardSvg([circle({ x: 960, y: 540, dia: 100, rgba: "rgba(255, 0, 16, 0.5)" }), circle({ initials: "CD" })], look, "circles: board x");
    expect(svg).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="1920" height="1080" viewBox="0 0 1920 1080">/,
    );
    expect(svg).toContain('<rect width="1920" height="1080" fill="#ffffff"/>');
    expect(svg).toContain('<circle cx="960" cy="540" r="50" fill="#ff0010" fill-opacity="0.5"/>');
    expect(svg).toContain('<text x="960" y="555" font-size="42" fill="#111827">AB</text>');
    expect(svg).toContain(">CD</text>");
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  });

  it("keeps the drawing order: each label right after its circle, later circles above", () => {
    const svg = boardSvg([circle({ initials: "P1" }), circle({ initials: "P2" })], look, "t");
    const order = [...svg.matchAll(/<(circle|text)[^>]*>(?:([^<]*)<\/text>)?/g)].map((m) => m[2] ?? m[1]);
    expect(order).toEqual(["circle", "P1", "circle", "P2"]);
  });

  it("initials and titles can only ever be text", () => {
    const hostile = `<script>alert(1)</script>&"'`;
    const svg = boardSvg([circle({ initials: hostile })], (c) => ({ ...look(c), labelColour: `"/><script>` }), hostile);
    expect(svg).not.toContain("<script");
    expect(svg).not.toMatch(/"\/><script/);
    expect(svg).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&apos;</text>");
    expect(svg).toContain("<title>&lt;script&gt;");
  });

  it("quotes the font family's quotes", () => {
    expect(boardSvg([], look, "t")).toMatch(/font-family="[^"]*&quot;Segoe UI&quot;[^"]*"/);
  });

  it("writes numbers plainly, with no NaN and no long fractions", () => {
    const svg = boardSvg([circle({ x: 1 / 3, y: Number.NaN, dia: 10.005 })], look, "t");
    expect(svg).toContain('<circle cx="0.33" cy="0" r="5"');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it("leaves out the label of a circle without initials", () => {
    const svg = boardSvg([circle({ initials: "" })], look, "t");
    expect(svg).not.toContain("<text");
  });

  it("draws a colour it cannot read in grey, as the canvas does", () => {
    const svg = boardSvg([circle()], (c) => ({ ...look(c), fill: "nonsense" }), "t");
    expect(svg).toContain('fill="#94a3b8" fill-opacity="0.8"');
  });
});

describe("exportFilename", () => {
  it("names the file after the board", () => {
    expect(exportFilename("bakum-tesip", "png")).toBe("circles-bakum-tesip.png");
    expect(exportFilename("default", "svg")).toBe("circles-default.svg");
    expect(exportFilename("../x y", "svg")).toBe("circles-___x_y.svg");
  });
});
