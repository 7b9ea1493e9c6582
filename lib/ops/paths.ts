/**
 * Where the project's files are, whether this module runs from source (tests,
 * `npm run dev`) or compiled under `dist/` (`npm start`).
 */
import { existsSync } from "node:fs";
import path from "node:path";

function findProjectRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export const projectRoot = findProjectRoot(import.meta.dirname);
export const viewsDir = path.join(projectRoot, "views");
/** The bundled browser client and stylesheet, written by `npm run build:client`. */
export const staticDir = path.join(projectRoot, "dist", "public");
