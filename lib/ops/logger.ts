/** Structured JSON logs (pino), one line per event, at the configured level. */
import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

/** Writes to stdout, or to `destination` (tests read the lines back from a stream). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: "circles" } };
  return destination ? pino(options, destination) : pino(options);
}

/** For tests and tools that want no output. */
export const silentLogger: Logger = pino({ level: "silent" });
