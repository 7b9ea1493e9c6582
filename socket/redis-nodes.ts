/**
 * The link between nodes when REDIS_URL is set: the Socket.IO Redis Streams
 * adapter over one Redis connection, and a second for the counts they share,
 * all under the configured key prefix (several apps, or tests, can share one
 * Redis).
 */
import { createAdapter } from "@socket.io/redis-streams-adapter";
import type { ServerOptions } from "socket.io";
import type { Logger } from "../lib/logger.js";
import { connectRedis, type RedisClient } from "../lib/redis-client.js";

export interface NodeLink {
  adapter: ServerOptions["adapter"];
  /** For the counts the nodes share (write limits, the flood cool-down), under `prefix`; fails fast while Redis is down. */
  redis: RedisClient;
  prefix: string;
  /** For /readyz: resolves while Redis answers. */
  ping(): Promise<unknown>;
  /** After Socket.IO has closed (which stops the adapter's reads). */
  close(): Promise<void>;
}

export async function connectNodes(redis: { url: string; prefix: string }, logger: Logger): Promise<NodeLink> {
  // The adapter's stream reads wait out a Redis blip and carry on; the counts must not wait.
  const stream = await connectRedis(redis.url, logger);
  let counts: RedisClient;
  try {
    counts = await connectRedis(redis.url, logger, { failFast: true });
  } catch (error) {
    stream.destroy();
    throw error;
  }
  return {
    adapter: createAdapter(stream, { streamName: `${redis.prefix}:socket.io`, channelPrefix: `${redis.prefix}:socket.io` }),
    redis: counts,
    prefix: redis.prefix,
    ping: () => counts.ping(),
    async close() {
      await Promise.all([stream.close(), counts.close()]);
    },
  };
}
