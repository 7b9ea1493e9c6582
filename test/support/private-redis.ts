/**
 * A throwaway `redis-server` of a test's own on a free port, nothing saved,
 * for tests that kill it or need what the machine's Redis does not offer
 * (TLS, with a self-signed certificate as Heroku's Key-Value Store has).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { vi } from "vitest";
import { freePort } from "./free-port.js";

export interface PrivateRedis {
  /** `redis://` or, with TLS, `rediss://`. */
  url: string;
  /** Starts it (again); resolves once it accepts connections. */
  start(): Promise<void>;
  /** kill -9, as a crash or an operator would. */
  kill(): Promise<void>;
  /** Kills it and removes its files. */
  remove(): Promise<void>;
}

export async function privateRedis({ tls = false } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), "circles-redis-"));
  const args = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir];
  if (tls) {
    const [cert, key] = [path.join(dir, "cert.pem"), path.join(dir, "key.pem")];
    await promisify(execFile)("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
    ]);
    args.push("--port", "0", "--tls-port", String(port), "--tls-cert-file", cert, "--tls-key-file", key, "--tls-auth-clients", "no");
  } else {
    args.push("--port", String(port));
  }
  let child: ChildProcess | undefined;
  const kill = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  };
  return {
    url: `${tls ? "rediss" : "redis"}://127.0.0.1:${port}`,
    async start() {
      child = spawn("redis-server", args, { stdio: "ignore" });
      await vi.waitFor(
        () =>
          new Promise<void>((resolve, reject) => {
            const socket = net.connect(port, "127.0.0.1", () => {
              socket.end();
              resolve();
            });
            socket.on("error", reject);
          }),
        5_000,
      );
    },
    kill,
    async remove() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
