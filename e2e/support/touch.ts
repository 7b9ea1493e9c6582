/**
 * Phones for the tests: a page in a phone's own browser context (Playwright's
 * device profiles: touch, mobile viewport, pixel density), and real touch
 * input through the Chrome DevTools Protocol (`Input.dispatchTouchEvent`),
 * which the page receives as touch Pointer Events, several fingers at once.
 */
import { devices, type BrowserContext, type CDPSession, type Page } from "@playwright/test";
import { test as base } from "./fixtures.js";

export type Phone = "Pixel 7" | "Pixel 7 landscape";

export interface Finger {
  x: number;
  y: number;
}

export const test = base.extend<{ openPhone: (phone: Phone, path: string) => Promise<Page> }>({
  openPhone: async ({ browser, server, pageErrors }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (phone, path) => {
      const context = await browser.newContext({ ...devices[phone], baseURL: server.url });
      pageErrors.watch(context);
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(path);
      return page;
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});

/** Fingers on a page's touch screen, in CSS pixels from the viewport's top-left. */
export class TouchScreen {
  private constructor(private readonly cdp: CDPSession) {}

  static async of(page: Page): Promise<TouchScreen> {
    return new TouchScreen(await page.context().newCDPSession(page));
  }

  /**
   * Fingers go down at `from` and slide in `steps` moves to `to` (one finger
   * per entry, in order), then all lift.
   */
  async gesture(from: readonly Finger[], to: readonly Finger[], steps = 8): Promise<void> {
    await this.send("touchStart", from);
    for (let i = 1; i <= steps; i++) {
      const t = i / steps;
      await this.send(
        "touchMove",
        from.map((start, f) => {
          const end = to[f] ?? start;
          return { x: start.x + (end.x - start.x) * t, y: start.y + (end.y - start.y) * t };
        }),
      );
    }
    await this.send("touchEnd", []);
  }

  private async send(type: "touchStart" | "touchMove" | "touchEnd", fingers: readonly Finger[]): Promise<void> {
    await this.cdp.send("Input.dispatchTouchEvent", {
      type,
      touchPoints: fingers.map((finger, id) => ({ x: finger.x, y: finger.y, id })),
    });
  }
}
