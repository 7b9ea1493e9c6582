/**
 * The processes the benchmarks measure: the real server as `npm start` runs
 * it (`start-command.ts`, so run `npm run build` first), or a bare relay,
 * each on 127.0.0.1 in a child process of its own, so that its CPU and
 * memory are its own. Both are ended, by pid, if the benchmark exits first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import readline from "node:readline";
import { projectRoot } from "../../lib/ops/paths.js";
import { forkHelper } from "./child.js";
import { startArgs, startFlags } from "./start-command.js";
import { usageOf, type Usage } from "./proc-usage.js";
import type { RelayMessage } from "./raw-relay.js";

export interface Served {
  pid: number;
  port: number;
  usage(): Usage;
  /** Ends it with `signal` and resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Its log lines at warn level or above (circles only), for the report. */
  warnings: string[];
}

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;
/** pino's level number for warn. */
const WARN = 40;

function served(child: ChildProcess, port: number, warnings: string[]): Served {
  const pid = child.pid as number;
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, "exit").then(() => undefined);
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);
  return {
    pid,
    port,
    warnings,
    usage: () => usageOf(pid),
    async stop(signal = "SIGTERM") {
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
      process.off("exit", onExit);
    },
  };
}

/**
 * The server, listening on `port` (0: a free one, read from its "listening"
 * log line, so LOG_LEVEL stays at info), with its SQLite file in `dataDir`.
 */
export async function startCircles(options: { dataDir: string; port?: number; env?: Record<string, string> }): Promise<Served> {
  const child = spawn(process.execPath, startArgs, {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: "production",
      STORE: "sqlite",
      DATA_DIR: options.dataDir,
      PORT: String(options.port ?? 0),
      LOG_LEVEL: "info",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const warnings: string[] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the server did not start within ${START_TIMEOUT_MS} ms: ${stderr}`));
    }, START_TIMEOUT_MS);
    // Every line is read (an unread pipe would stall the server); only the port and warnings are kept.
    lines.on("line", (line) => {
      let entry: { level?: number; port?: number; msg?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (typeof entry.port === "number" && entry.msg?.startsWith("listening")) {
        clearTimeout(timer);
        resolve(entry.port);
      }
      if ((entry.level ?? 0) >= WARN && warnings.length < 20) warnings.push(line);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
  return served(child, port, warnings);
}

/** One of the bare relays the server is compared with (`raw-relay.ts`, `window-relay.ts`, `io-relay.ts`), with the server's Node flags. */
export async function startRelay(file: "raw-relay.ts" | "window-relay.ts" | "io-relay.ts", args: string[] = []): Promise<Served> {
  const relay = forkHelper<RelayMessage>(new URL(`./${file}`, import.meta.url), args, startFlags);
  const { port } = await relay.next((m): m is RelayMessage => m.type === "listening", START_TIMEOUT_MS);
  return served(relay.process, port, []);
}
