/**
 * `npm start` as the benchmarks run it: the same Node flags and entry point
 * as package.json's start script, with this process's Node, so that what is
 * measured is what an operator runs, without npm in between (whose process
 * would be the one measured).
 */
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../lib/ops/paths.js";

const script = (JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
const [node, ...rest] = script.split(" ");
if (node !== "node" || rest.length === 0) throw new Error(`package.json's start script is not "node [flags] <entry>": ${script}`);

/** The Node flags of the start script (V8's heap settings): the raw relay gets them too, for a fair floor. */
export const startFlags = rest.slice(0, -1);
/** The arguments to spawn process.execPath with. */
export const startArgs = [...startFlags, path.join(projectRoot, rest.at(-1) as string)];
