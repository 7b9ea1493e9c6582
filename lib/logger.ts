/** Structured JSON logs (pino), one line per event, at the configured level. */
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "circles" } });
}

/** For tests and tools that want no output. */
export const silentLogger: Logger = pino({ level: "silent" });
