/**
 * The link between nodes when REDIS_URL is set: the Socket.IO Redis Streams
 * adapter over one Redis connection, a second for the counts and the live
 * state they share, and a third the live state listens on, all under the
 * configured key prefix (several apps, or tests, can share one Redis).
 */
import { randomUUID } from "node:crypto";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import type { ServerOptions } from "socket.io";
import { RedisLiveState } from "../../lib/live-state/redis-live-state.js";
import type { Logger } from "../../lib/ops/logger.js";
import { connectRedis, type RedisClient } from "../../lib/ops/redis-client.js";

export interface NodeLink {
  adapter: ServerOptions["adapter"];
  /** For the counts the nodes share (write limits, the flood cool-down), under `prefix`; fails fast while Redis is down. */
  redis: RedisClient;
  prefix: string;
  /** Who is on each board, on every node. */
  presence: RedisLiveState;
  /** `listener` runs each time the adapter's connection is back after an outage. */
  onReconnect(listener: () => void): void;
  /** For /readyz: resolves while Redis answers. */
  ping(): Promise<unknown>;
  /** After Socket.IO has closed (which stops the adapter's reads). */
  close(): Promise<void>;
}

/**
 * The adapter sends `serverSideEmit` (every node's board changes) with a
 * PUBLISH whose result it never handles: one caught by a Redis outage would
 * be an unhandled rejection, which ends the process. The message is lost
 * either way, and the other nodes catch up from the store (`GAP_WAIT_MS`).
 */
function publishSafely(client: RedisClient, logger: Logger): void {
  const publish = client.publish.bind(client) as (...args: unknown[]) => Promise<number>;
  const safe = (...args: unknown[]) =>
    publish(...args).catch((error: unknown) => {
      logger.warn({ err: error }, "a message to the other nodes was lost; they catch up from the store");
      return 0;
    });
  Object.assign(client, { publish: safe, PUBLISH: safe });
}

export async function connectNodes(redis: { url: string; prefix: string }, logger: Logger): Promise<NodeLink> {
  // The adapter's stream reads wait out a Redis blip and carry on; the counts must not wait.
  const clients: RedisClient[] = [];
  let presence: RedisLiveState;
  try {
    clients.push(await connectRedis(redis.url, logger));
    clients.push(await connectRedis(redis.url, logger, { failFast: true }));
    clients.push(await connectRedis(redis.url, logger));
    const [, redisCounts, redisSubscriber] = clients as [RedisClient, RedisClient, RedisClient];
    presence = await RedisLiveState.start({ node: randomUUID(), redis: redisCounts, subscriber: redisSubscriber, prefix: redis.prefix, logger });
  } catch (error) {
    for (const client of clients) client.destroy();
    throw error;
  }
  const [stream, counts, subscriber] = clients as [RedisClient, RedisClient, RedisClient];
  publishSafely(stream, logger);
  return {
    adapter: createAdapter(stream, { streamName: `${redis.prefix}:socket.io`, channelPrefix: `${redis.prefix}:socket.io` }),
    redis: counts,
    prefix: redis.prefix,
    presence,
    // "ready" after the first connection (which connectRedis awaited) means a reconnection.
    onReconnect: (listener) => void stream.on("ready", listener),
    ping: () => counts.ping(),
    async close() {
      await Promise.all([stream.close(), counts.close(), subscriber.close()]);
    },
  };
}
