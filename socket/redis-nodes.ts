/**
 * The link between nodes when REDIS_URL is set: a Redis connection and the
 * Socket.IO Redis Streams adapter over it, under the configured key prefix
 * (several apps, or tests, can share one Redis).
 */
import { createAdapter } from "@socket.io/redis-streams-adapter";
import type { ServerOptions } from "socket.io";
import type { Logger } from "../lib/logger.js";
import { connectRedis, type RedisClient } from "../lib/redis-client.js";

export interface NodeLink {
  adapter: ServerOptions["adapter"];
  /** For the counts the nodes share (write limits, the flood cool-down), under `prefix`. */
  redis: RedisClient;
  prefix: string;
  /** For /readyz: resolves while Redis answers. */
  ping(): Promise<unknown>;
  /** After Socket.IO has closed (which stops the adapter's reads). */
  close(): Promise<void>;
}

export async function connectNodes(redis: { url: string; prefix: string }, logger: Logger): Promise<NodeLink> {
  const client = await connectRedis(redis.url, logger);
  return {
    adapter: createAdapter(client, { streamName: `${redis.prefix}:socket.io`, channelPrefix: `${redis.prefix}:socket.io` }),
    redis: client,
    prefix: redis.prefix,
    ping: () => client.ping(),
    close: () => client.close(),
  };
}
