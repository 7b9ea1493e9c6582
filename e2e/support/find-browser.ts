/**
 * Finds a Chromium for Playwright to drive. Playwright cannot download its own
 * browser here, so the tests use the system's: $CHROMIUM_PATH when set,
 * otherwise the first of chromium, chromium-browser or google-chrome on PATH.
 */
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

export const BROWSER_NAMES = ["chromium", "chromium-browser", "google-chrome"] as const;

export const INSTALL_HINT = "Install Debian's chromium: sudo apt-get install chromium, or set CHROMIUM_PATH";

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findBrowser(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.CHROMIUM_PATH?.trim();
  if (explicit) {
    if (isExecutableFile(explicit)) return explicit;
    throw new Error(`CHROMIUM_PATH is set to ${explicit}, which is not an executable file. ${INSTALL_HINT}.`);
  }
  const dirs = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
  for (const name of BROWSER_NAMES) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  throw new Error(`No Chromium found for the end-to-end tests (looked for ${BROWSER_NAMES.join(", ")} on PATH). ${INSTALL_HINT}.`);
}
