/**
 * Colours: making a random one for a new circle, reading the ones the server
 * relays (lesson clients may send rgb() or hex as well as rgba()), and picking
 * a label colour that stays readable on top of a circle.
 */

export interface Rgba {
  r: number;
  g: number;
  b: number;
  /** 0–1 */
  a: number;
}

const FUNCTIONAL = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/i;
const HEX = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

const clampByte = (n: number): number => Math.min(255, Math.max(0, n));
const clampUnit = (n: number): number => Math.min(1, Math.max(0, n));

/** Read `rgba(r, g, b, a)`, `rgb(r, g, b)`, `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa`; null for anything else. */
export function parseColour(text: string): Rgba | null {
  const fn = FUNCTIONAL.exec(text.trim());
  if (fn) {
    const [r, g, b] = [fn[1], fn[2], fn[3]].map(Number);
    const a = fn[4] === undefined ? 1 : Number(fn[4]);
    if ([r, g, b, a].some((n) => n === undefined || !Number.isFinite(n))) return null;
    return { r: clampByte(r!), g: clampByte(g!), b: clampByte(b!), a: clampUnit(a) };
  }
  const hex = HEX.exec(text.trim())?.[1];
  if (hex) {
    const digits = hex.length <= 4 ? [...hex].map((d) => d + d) : (hex.match(/../g) ?? []);
    const [r = 0, g = 0, b = 0, a = 255] = digits.map((pair) => parseInt(pair, 16));
    return { r, g, b, a: a / 255 };
  }
  return null;
}

/** HSL (h in degrees, s and l in 0–1) to RGB bytes. */
function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12;
  const chroma = s * Math.min(l, 1 - l);
  const f = (n: number) => l - chroma * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

/** A pleasant random colour: any hue, fairly saturated, never washed out or muddy. */
export function randomColour(random: () => number = Math.random): string {
  const [r, g, b] = hslToRgb(random() * 360, 0.6 + random() * 0.3, 0.45 + random() * 0.17);
  const alpha = Math.round((0.72 + random() * 0.23) * 100) / 100;
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** WCAG relative luminance of an opaque colour. */
function luminance({ r, g, b }: Rgba): number {
  const channel = (byte: number) => {
    const c = byte / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

function contrast(a: number, b: number): number {
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

const DARK_LABEL = "#111827";
const LIGHT_LABEL = "#ffffff";
const DARK_LUMINANCE = luminance({ r: 0x11, g: 0x18, b: 0x27, a: 1 });

/** The label colour (near-black or white) that contrasts most with `fill` painted over `backdrop`. */
export function labelColourFor(fill: Rgba | null, backdrop: Rgba): string {
  if (!fill) return DARK_LABEL;
  const over = (top: number, bottom: number) => top * fill.a + bottom * (1 - fill.a);
  const seen = luminance({ r: over(fill.r, backdrop.r), g: over(fill.g, backdrop.g), b: over(fill.b, backdrop.b), a: 1 });
  return contrast(seen, DARK_LUMINANCE) >= contrast(seen, 1) ? DARK_LABEL : LIGHT_LABEL;
}
