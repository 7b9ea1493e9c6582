/**
 * End-to-end tests: real Chromium tabs against the real compiled server
 * (`npm run build` first). Uses the system's Chromium; see e2e/support/find-browser.ts.
 */
import { defineConfig, devices } from "@playwright/test";
import { findBrowser } from "./e2e/support/find-browser.js";

const executablePath = findBrowser();

export default defineConfig({
  testDir: "e2e",
  // The README's screenshot is made on request (`npm run screenshot`), not on every run.
  testIgnore: process.env.SCREENSHOT ? [] : ["**/screenshot.spec.ts"],
  fullyParallel: false,
  workers: process.env.CI ? 1 : 2,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  reporter: "list",
  timeout: 30_000,
  expect: { timeout: 7_000 },
  use: {
    headless: true,
    viewport: { width: 1280, height: 720 },
    actionTimeout: 7_000,
    navigationTimeout: 15_000,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        viewport: { width: 1280, height: 720 },
        launchOptions: {
          executablePath,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      },
    },
  ],
});
