/**
 * The Redis connection that nodes share their boards' changes through.
 * `rediss://` uses TLS without checking the certificate against a public
 * authority: Heroku Key-Value Store's certificate is self-signed, so a check
 * would refuse every connection (the channel is still encrypted).
 */
import { createClient } from "redis";
import type { Logger } from "./logger.js";

export type RedisClient = ReturnType<typeof createClient>;

/** How long a connection (and each reconnection) may take before it counts as failed. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Reconnect at once, then back off to at most this. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * `failFast`: a command while the connection is down fails at once instead
 * of waiting in the client's queue until Redis is back (for counts, which
 * have an in-memory fallback, and for the checks that refuse writes).
 */
export async function connectRedis(url: string, logger: Logger, { failFast = false } = {}): Promise<RedisClient> {
  const tls = new URL(url).protocol === "rediss:";
  const client = createClient({
    url,
    disableOfflineQueue: failFast,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries) => Math.min(retries * 100, MAX_RECONNECT_DELAY_MS),
      ...(tls ? { tls: true as const, rejectUnauthorized: false } : {}),
    },
  });
  // Without a listener an error would end the process; the client reconnects by itself.
  let reported = false;
  client.on("error", (error: unknown) => {
    if (reported) return;
    reported = true;
    logger.error({ err: error }, "Redis connection failed; reconnecting");
  });
  client.on("ready", () => {
    if (reported) logger.info("Redis connection back");
    reported = false;
  });
  // The client would retry a first connection for ever: a server that cannot reach Redis should not start.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([client.connect(), timeout]);
  } catch (error) {
    client.destroy();
    throw new Error(`cannot reach Redis at REDIS_URL: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  return client;
}
