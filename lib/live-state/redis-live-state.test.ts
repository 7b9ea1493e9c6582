import { randomUUID } from "node:crypto";
import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import { describeLiveStateContract } from "../../test/live-state-contract.js";
import { connectTestRedis, removeRedisKeys, testRedisPrefix } from "../../test/support/redis.js";
import { RedisLiveState } from "./redis-live-state.js";

type Client = Awaited<ReturnType<typeof connectTestRedis>>;
const logger = pino({ level: "silent" });

/** Nodes on one key prefix of the machine's Redis, each with its own two connections, as each server has. */
function nodes() {
  const prefix = testRedisPrefix();
  const started: { state: RedisLiveState; clients: Client[] }[] = [];
  return {
    prefix,
    async node() {
      const clients = [await connectTestRedis(), await connectTestRedis()];
      const [redis, subscriber] = clients as [Client, Client];
      const state = await RedisLiveState.start({ node: randomUUID(), redis, subscriber, prefix, logger });
      started.push({ state, clients });
      return state;
    },
    /** As kill -9 would: the node's connections drop without a goodbye. */
    kill(state: RedisLiveState) {
      for (const client of started.find((node) => node.state === state)?.clients ?? []) client.destroy();
    },
    async cleanup() {
      for (const { state, clients } of started) {
        await state.close();
        for (const client of clients) if (client.isOpen) client.destroy();
      }
      await removeRedisKeys(prefix);
    },
  };
}

describeLiveStateContract("Redis", async () => nodes());

describe("RedisLiveState", () => {
  it("drops a killed node's people from the others' lists within 15 s", { timeout: 20_000 }, async () => {
    const f = nodes();
    try {
      const [a, b] = [await f.node(), await f.node()];
      a.join("a1", "room");
      a.register("a1", "AA");
      b.join("b1", "room");
      b.register("b1", "BB");
      await vi.waitFor(() => expect([...b.players("room")].sort()).toEqual(["AA", "BB"]), 3_000);
      const killedAt = Date.now();
      f.kill(a);
      await vi.waitFor(() => expect(b.players("room")).toEqual(["BB"]), { timeout: 15_000, interval: 100 });
      const took = Date.now() - killedAt;
      // Not before its key could have expired: a slow node is not a dead one.
      expect(took).toBeGreaterThan(3_000);
      expect(b.here("room")).toBe(1);
      // The one who noticed tidied the dead node's fields away.
      const redis = await connectTestRedis();
      try {
        await vi.waitFor(async () => expect(Object.keys(await redis.hGetAll(`${f.prefix}:live:board:room`))).toHaveLength(1), 3_000);
      } finally {
        redis.destroy();
      }
    } finally {
      await f.cleanup();
    }
  });

  it("writes its people again after Redis lost every key (a restart keeps nothing)", { timeout: 10_000 }, async () => {
    const f = nodes();
    try {
      const [a, b] = [await f.node(), await f.node()];
      a.join("a1", "room");
      a.register("a1", "AA");
      await vi.waitFor(() => expect(b.players("room")).toEqual(["AA"]), 3_000);
      await removeRedisKeys(f.prefix);
      const redis = await connectTestRedis();
      try {
        await vi.waitFor(async () => expect(await redis.exists(`${f.prefix}:live:board:room`)).toBe(1), 5_000);
      } finally {
        redis.destroy();
      }
      await vi.waitFor(() => expect(b.players("room")).toEqual(["AA"]), 5_000);
    } finally {
      await f.cleanup();
    }
  });
});
