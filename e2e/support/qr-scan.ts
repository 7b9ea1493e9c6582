/**
 * Reading a page's QR code back as a phone's camera would: the SVG drawn into
 * a canvas on a blank page (the app's own policy lets in no data: images), and
 * its pixels decoded here with jsqr.
 */
import type { Locator, Page } from "@playwright/test";
// CommonJS: under ESM its default import is the whole module, the decoder being its `default`.
import jsqr from "jsqr";

/** How the QR code's image is labelled (routes/pages.ts's QR_CODE_LABEL). */
export const QR_NAME = "QR code for this board's link";

const QR_PIXELS = 400;

/** Just enough of the DOM for drawing an SVG into a canvas inside `evaluate` (the test tsconfig has no DOM types). */
interface DomLike {
  btoa(binary: string): string;
  Image: new () => { src: string; decode(): Promise<void> };
  document: {
    createElement(tag: "canvas"): {
      width: number;
      height: number;
      getContext(kind: "2d"): {
        fillStyle: string;
        fillRect(x: number, y: number, w: number, h: number): void;
        drawImage(image: unknown, x: number, y: number, w: number, h: number): void;
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      } | null;
    };
  };
}

/** What the SVG markup of a QR code says, read on `blank` (a page with no Content-Security-Policy, such as about:blank). */
export async function scanSvg(blank: Page, svg: string): Promise<string | undefined> {
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
      // As base64: a 400×400 picture is 640,000 bytes, far quicker out of the page as one string than as an array.
      const data = context.getImageData(0, 0, size, size).data;
      let binary = "";
      for (let i = 0; i < data.length; i += 8192) binary += String.fromCharCode(...Array.from(data.subarray(i, i + 8192)));
      return dom.btoa(binary);
    },
    [svg, QR_PIXELS] as const,
  );
  return jsqr.default(new Uint8ClampedArray(Buffer.from(pixels, "base64")), QR_PIXELS, QR_PIXELS)?.data;
}

/** What the QR code `qr` (an inline <svg>) on its page says. */
export async function scanQrCode(qr: Locator, blank: Page): Promise<string | undefined> {
  const svg = await qr.evaluate((element) => (element as unknown as { outerHTML: string }).outerHTML);
  return scanSvg(blank, svg);
}
