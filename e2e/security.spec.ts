/**
 * The page must keep working under the strict Content-Security-Policy the
 * server sends: no inline scripts or styles, nothing from other origins, and
 * no HTML-string sinks (Trusted Types). The policy is applied here too, so the
 * client is held to it whatever the server's headers are.
 */
import { BoardPage } from "./support/board-page.js";
import { cspViolations, recordCspViolations } from "./support/csp.js";
import { expect, test } from "./support/fixtures.js";

const STRICT_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

test("the board works under a strict Content-Security-Policy", async ({ openPage, board }) => {
  // Chromium treats a document fulfilled by the test as non-local; let it reach the local server.
  const page = await openPage({ permissions: ["clipboard-read", "clipboard-write", "local-network-access"] });
  await page.route("**/*", async (route) => {
    if (route.request().resourceType() !== "document") return route.continue();
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), "content-security-policy": STRICT_POLICY } });
  });
  await recordCspViolations(page);

  const player = new BoardPage(page);
  await player.goto(`/b/${board}`);
  await player.join("CS");
  const circle = await player.drawAt(960, 540);
  await player.expectCirclePainted(circle);
  await page.getByRole("button", { name: "Copy link" }).click();
  await expect(page.getByText("Link copied")).toBeVisible();
  await page.getByRole("button", { name: "Change" }).click();
  await player.initialsInput.fill("!!");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Use 2–3 letters or digits")).toBeVisible();
  await page.setViewportSize({ width: 700, height: 600 }); // resizing sets the canvas size from script
  await player.expectCirclePainted(circle);

  expect(await cspViolations(page)).toEqual([]);
});
