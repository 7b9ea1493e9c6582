/**
 * The machine's Redis (127.0.0.1:6379) for tests: each test file takes a key
 * prefix of its own and removes its keys afterwards, so that runs never see
 * each other's keys or the app's.
 */
import { randomBytes } from "node:crypto";
import { createClient } from "redis";

export const REDIS_URL = "redis://127.0.0.1:6379";

export const testRedisPrefix = () => `circles-test-${randomBytes(6).toString("hex")}`;

/** Deletes every key under `prefix`. */
export async function removeRedisKeys(prefix: string): Promise<void> {
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*` })) if (keys.length > 0) await redis.del(keys);
  } finally {
    await redis.close();
  }
}
