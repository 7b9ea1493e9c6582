/**
 * Fixtures for the end-to-end tests:
 * - `server`: the real compiled server (`node dist/bin/www.js`) with a fresh
 *   DATA_DIR, started once per worker and stopped after its last test file.
 * - `serverEnv`: settings for that server, e.g.
 *   `test.use({ serverEnv: { MAX_CIRCLES: "2" } })`; a file that sets them
 *   gets a worker, and a server, of its own.
 * - `openPage`: a new page in its own browser context (its own localStorage,
 *   like a separate browser), closed after the test.
 * - `pageErrors`: on automatically; fails the test on any uncaught page error
 *   or console error in any page, unless the test allowed that message.
 * - `board`: a board name unique to the test, so tests never share circles.
 */
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startServerProcess, type ServerProcess } from "../../test/support/server-process.js";

export interface OpenPageOptions {
  /** Where to go once open, e.g. `/b/name`; stays on about:blank when absent. */
  path?: string;
  /** Browser permissions, e.g. clipboard access. */
  permissions?: string[];
}

export interface PageErrors {
  /** Console errors matching this are expected in this test (e.g. a deliberate 404). */
  allow(pattern: RegExp): void;
  /** Watch a context the fixtures did not create. */
  watch(context: BrowserContext): void;
}

interface WorkerFixtures {
  serverEnv: Record<string, string>;
  server: ServerProcess;
}

interface TestFixtures {
  pageErrors: PageErrors;
  openPage: (options?: OpenPageOptions) => Promise<Page>;
  board: string;
}

const VIEWPORT = { width: 1280, height: 720 };

function requireBuild(): void {
  const missing = ["dist/bin/www.js", "dist/public/app.js", "dist/public/style.css"].filter((file) => !existsSync(path.resolve(file)));
  if (missing.length > 0) {
    throw new Error(`the end-to-end tests run the built app, but ${missing.join(", ")} is missing: run \`npm run build\` first`);
  }
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  serverEnv: [{}, { scope: "worker", option: true }],

  server: [
    async ({ serverEnv }, use) => {
      requireBuild();
      const dataDir = await mkdtemp(path.join(os.tmpdir(), "circles-e2e-"));
      const server = await startServerProcess({ env: { ...serverEnv, DATA_DIR: dataDir } });
      try {
        await use(server);
      } finally {
        await server.stop();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    { scope: "worker", timeout: 30_000 },
  ],

  baseURL: async ({ server }, use) => {
    await use(server.url);
  },

  pageErrors: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the fixtures argument to be destructured
    async ({}, use, testInfo) => {
      const errors: string[] = [];
      const allowed: RegExp[] = [];
      const watched = new WeakSet<BrowserContext>();
      const record = (text: string) => {
        if (!allowed.some((pattern) => pattern.test(text))) errors.push(text);
      };
      await use({
        allow: (pattern) => void allowed.push(pattern),
        watch(context) {
          if (watched.has(context)) return;
          watched.add(context);
          context.on("weberror", (error) => record(`page error: ${error.error().stack ?? error.error().message}`));
          context.on("console", (message) => {
            if (message.type() === "error") {
              const where = message.location().url ? ` (${message.location().url})` : "";
              record(`console error: ${message.text()}${where}`);
            }
          });
        },
      });
      if (errors.length > 0) {
        await testInfo.attach("page-errors", { body: errors.join("\n"), contentType: "text/plain" });
      }
      expect(errors, "pages reported errors").toEqual([]);
    },
    { auto: true },
  ],

  context: async ({ context, pageErrors }, use) => {
    pageErrors.watch(context);
    await use(context);
  },

  openPage: async ({ browser, server, pageErrors }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (options = {}) => {
      const context = await browser.newContext({
        baseURL: server.url,
        viewport: VIEWPORT,
        permissions: options.permissions ?? [],
      });
      pageErrors.watch(context);
      contexts.push(context);
      const page = await context.newPage();
      if (options.path) await page.goto(options.path);
      return page;
    });
    await Promise.all(contexts.map((context) => context.close()));
  },

  // eslint-disable-next-line no-empty-pattern -- see above
  board: async ({}, use, testInfo) => {
    const slug = testInfo.title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 24);
    await use(`e2e-${slug}-${Math.random().toString(36).slice(2, 8)}`);
  },
});

/**
 * A page the server sends away (its player removed, its board deleted) closes
 * its Socket.IO session as the server closes it; a long-poll already on its
 * way then gets Socket.IO's own "Session ID unknown" (400), which the page
 * ignores. Allowed, and only that: a polling request of a known session.
 */
export function endedSessions(pageErrors: PageErrors): void {
  pageErrors.allow(/status of 400 \(Bad Request\) \(http:\/\/[^)]*\/socket\.io\/\?[^)]*transport=polling[^)]*&sid=[^)]*\)$/);
}

export { expect };
