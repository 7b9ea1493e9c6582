/**
 * The fan-out benchmark's side of a load generator (`load-generator.ts`):
 * a process of its own holding one group of clients on one target, driven
 * over IPC. `ask` sends one command and waits for its answer.
 */
import { forkHelper, type Child } from "./child.js";
import type { GeneratorCommand, GeneratorMessage } from "./load-generator.js";

export class Generator {
  #child: Child<GeneratorMessage> = forkHelper<GeneratorMessage>(new URL("./load-generator.ts", import.meta.url), []);

  send(command: GeneratorCommand): void {
    this.#child.send(command);
  }

  async next<T extends GeneratorMessage["type"]>(type: T, timeoutMs: number): Promise<Extract<GeneratorMessage, { type: T }>> {
    const message = await this.#child.next(
      (m): m is Extract<GeneratorMessage, { type: T }> | Extract<GeneratorMessage, { type: "error" }> => m.type === type || m.type === "error",
      timeoutMs,
    );
    if (message.type === "error") throw new Error(`load generator: ${(message as { message: string }).message}`);
    return message as Extract<GeneratorMessage, { type: T }>;
  }

  ask<T extends GeneratorMessage["type"]>(command: GeneratorCommand, type: T, timeoutMs: number) {
    this.send(command);
    return this.next(type, timeoutMs);
  }

  /** Runs a traffic command, calling `onWindow` as its measured window starts and ends. */
  async traffic(command: Extract<GeneratorCommand, { type: "traffic" }>, onWindow: (edge: "start" | "end") => void = () => undefined) {
    this.send(command);
    const limit = command.warmupMs + command.measureMs + 10_000;
    for (const edge of ["start", "end"] as const) {
      await this.next("window", limit);
      onWindow(edge);
    }
    return this.next("traffic", command.drainMs + 10_000);
  }

  async end(): Promise<void> {
    this.#child.process.disconnect();
    await this.#child.exited(5_000);
  }
}
