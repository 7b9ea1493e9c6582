/** What the Content-Security-Policy refused on a page, recorded from before its first script. */
import type { Page } from "@playwright/test";

/** Starts recording on every document `page` loads: each refusal as "directive blocked-URI". */
export async function recordCspViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const target = globalThis as unknown as {
      cspViolations: string[];
      addEventListener(type: string, listener: (event: { violatedDirective: string; blockedURI: string }) => void): void;
    };
    target.cspViolations = [];
    target.addEventListener("securitypolicyviolation", (event) => target.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
}

/** What was refused on the page's current document. */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations);
}
