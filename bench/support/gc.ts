/**
 * A full garbage collection for memory figures: `global.gc` when the process
 * runs with --expose-gc (bench/run.ts starts it so), else undefined.
 */
import { setTimeout as sleep } from "node:timers/promises";

const exposed = (globalThis as { gc?: () => void }).gc;

/** Whether `collect()` really collects. */
export const gcAvailable = typeof exposed === "function";

/** Collects a few times, with turns of the event loop between them (weak refs, finalisers). */
export async function collect(): Promise<void> {
  if (!exposed) return;
  for (let i = 0; i < 3; i++) {
    exposed();
    await sleep(20);
  }
}
