/**
 * Runs the compiled server (`dist/bin/www.js`) as a real child process, the
 * way `npm start` and Heroku do, for tests that need signals, crashes and
 * restarts. Run `npm run build` first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { projectRoot } from "../../lib/ops/paths.js";

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process has written so far, stdout and stderr together. */
  output(): string;
  /** Send a signal and wait for the exit; resolves with the exit code (null when killed). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Directory holding `dist/bin/www.js`; the project itself by default. */
  cwd?: string;
  /** The command to run instead of `node dist/bin/www.js`, e.g. `["npm", "start"]`. */
  command?: [string, ...string[]];
  timeoutMs?: number;
}

const LISTENING = /listening on (http:\/\/[^\s"]+)/;

export async function startServerProcess(options: StartOptions = {}): Promise<ServerProcess> {
  const cwd = options.cwd ?? projectRoot;
  const [file, ...args] = options.command ?? [process.execPath, path.join(cwd, "dist", "bin", "www.js")];
  const child = spawn(file, args, {
    cwd,
    // The "listening on" line is an info line: a stricter LOG_LEVEL from the caller would hide it.
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so that a signal reaches the server even behind
    // `npm start`, which cannot pass on a SIGKILL to its child.
    detached: true,
  });
  let output = "";
  const exited = once(child, "exit");
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      signalGroup(child, "SIGKILL");
      reject(new Error(`server did not start within ${options.timeoutMs ?? 15000} ms:\n${output}`));
    }, options.timeoutMs ?? 15000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) signalGroup(child, signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/** `count` servers with the same settings, as nodes of one store, started one after the other (the first creates the schema). */
export async function startNodes(count: number, env: Record<string, string>): Promise<ServerProcess[]> {
  const nodes: ServerProcess[] = [];
  for (let i = 0; i < count; i++) nodes.push(await startServerProcess({ env }));
  return nodes;
}

/** Signal the child and everything it started. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}
