/**
 * Forks a TypeScript helper under tsx, and hands out its messages and exit.
 * Messages are kept until asked for, so none is missed between two `next`s.
 * The benchmark owns the child: `exited()` ends it, by its own pid, if it overstays.
 */
import { fork, type ChildProcess, type Serializable } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface Child<M> {
  process: ChildProcess;
  /** The first message, received or to come, that `accept` takes; rejects on exit or timeout. */
  next<T extends M>(accept: (message: M) => message is T, timeoutMs: number): Promise<T>;
  send(message: Serializable): void;
  /** Resolves with the exit code once the child has exited; kills it after `timeoutMs`. */
  exited(timeoutMs: number): Promise<number | null>;
}

export function forkHelper<M>(moduleUrl: URL, args: string[], nodeFlags: string[] = []): Child<M> {
  const name = moduleUrl.pathname.split("/").pop();
  const child = fork(fileURLToPath(moduleUrl), args, { execArgv: [...nodeFlags, "--import", "tsx"], stdio: "inherit" });
  const inbox: M[] = [];
  const waiters = new Set<() => void>();
  let exitCode: number | null | undefined;
  child.on("message", (message) => {
    inbox.push(message as M);
    for (const wake of waiters) wake();
  });
  child.once("exit", (code) => {
    exitCode = code;
    for (const wake of waiters) wake();
  });

  return {
    process: child,
    next<T extends M>(accept: (message: M) => message is T, timeoutMs: number) {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const index = inbox.findIndex(accept);
          if (index >= 0) {
            done();
            resolve(inbox.splice(index, 1)[0] as T);
          } else if (exitCode !== undefined) {
            done();
            reject(new Error(`${name} exited with code ${exitCode}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no message from ${name} within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    send(message) {
      if (child.connected) child.send(message);
    },
    exited(timeoutMs) {
      if (exitCode !== undefined) return Promise.resolve(exitCode);
      return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.once("exit", (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
    },
  };
}
