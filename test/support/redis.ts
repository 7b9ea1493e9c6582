/**
 * The machine's Redis (127.0.0.1:6379) for tests: each test file takes a key
 * prefix of its own and removes its keys afterwards, so that runs never see
 * each other's keys or the app's.
 */
import { randomBytes } from "node:crypto";
import { createClient } from "redis";

export const REDIS_URL = "redis://127.0.0.1:6379";

/** A connected client of the machine's Redis, or an error that says what the tests need and how CI starts it. */
export async function connectTestRedis(): Promise<ReturnType<typeof createClient>> {
  const redis = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false } });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    throw new Error(
      `these tests need Redis at 127.0.0.1:6379; .ci/run starts it with \`redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 ...\` ` +
        `(${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  return redis;
}

export const testRedisPrefix = () => `circles-test-${randomBytes(6).toString("hex")}`;

/** Deletes every key under `prefix`. */
export async function removeRedisKeys(prefix: string): Promise<void> {
  const redis = await connectTestRedis();
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*` })) if (keys.length > 0) await redis.del(keys);
  } finally {
    await redis.close();
  }
}
