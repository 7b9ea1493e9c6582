import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics.js";
import { Presence } from "../people/presence.js";

/** The value of one counter or gauge series, read as a scrape would (gauges run their `collect`). */
async function value(metrics: ReturnType<typeof createMetrics>, name: string, labels: Record<string, string> = {}) {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const found = values.find(
    (sample) =>
      Object.keys(labels).length === Object.keys(sample.labels).length &&
      Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted),
  );
  return found?.value;
}

describe("gauges", () => {
  it("are read from presence at each scrape", async () => {
    const presence = new Presence();
    const metrics = createMetrics(presence);
    expect(await value(metrics, "circles_connected_sockets")).toBe(0);

    presence.join("s1", "room-1");
    presence.join("s2", "room-1");
    presence.join("s3", "room-2");
    presence.register("s1", "AB");
    expect(await value(metrics, "circles_connected_sockets")).toBe(3);
    expect(await value(metrics, "circles_registered_players")).toBe(1);
    expect(await value(metrics, "circles_boards_with_sockets")).toBe(2);

    presence.leave("s3");
    expect(await value(metrics, "circles_boards_with_sockets")).toBe(1);
  });
});

describe("counters", () => {
  it("count rejections by event and reason, and rate-limited ones also on their own", async () => {
    const metrics = createMetrics(new Presence());
    metrics.rejected("add-circle", "invalid");
    metrics.rejected("add-circle", "rate-limited");
    metrics.rejected("add-circle", "rate-limited");
    metrics.rejected("clear-circles", "unavailable");

    expect(await value(metrics, "circles_rejected_payloads_total", { event: "add-circle", reason: "invalid" })).toBe(1);
    expect(await value(metrics, "circles_rejected_payloads_total", { event: "add-circle", reason: "rate-limited" })).toBe(2);
    expect(await value(metrics, "circles_rejected_payloads_total", { event: "clear-circles", reason: "unavailable" })).toBe(1);
    expect(await value(metrics, "circles_rate_limited_events_total", { event: "add-circle" })).toBe(2);
    expect(await value(metrics, "circles_rate_limited_events_total", { event: "clear-circles" })).toBeUndefined();
  });

  it("count the board service's circles added and clears, not circles dropped by the cap", async () => {
    const metrics = createMetrics(new Presence());
    const circle = { id: "c1", initials: "AB", x: 1, y: 2, dia: 3, rgba: "red", createdAt: 0 };
    metrics.boardListener.changed("b", [
      { seq: 1, type: "add", circle },
      { seq: 2, type: "add", circle: { ...circle, id: "c2" } },
      { seq: 3, type: "remove", id: "c1" },
    ]);
    metrics.boardListener.changed("b", [{ seq: 4, type: "clear" }]);

    expect(await value(metrics, "circles_circles_relayed_total")).toBe(2);
    expect(await value(metrics, "circles_clears_total")).toBe(1);
  });
});

describe("timeBroadcast", () => {
  it("returns what the broadcast returns and observes its duration once", async () => {
    const metrics = createMetrics(new Presence());
    expect(metrics.timeBroadcast("add-circle", () => 42)).toBe(42);

    const { values } = await metrics.broadcastSeconds.get();
    const count = values.find((v) => v.metricName === "circles_broadcast_fanout_seconds_count" && v.labels["event"] === "add-circle");
    expect(count?.value).toBe(1);
  });

  it("still observes a broadcast that throws, and rethrows", async () => {
    const metrics = createMetrics(new Presence());
    expect(() =>
      metrics.timeBroadcast("clear-circles", () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");

    const { values } = await metrics.broadcastSeconds.get();
    const count = values.find((v) => v.metricName === "circles_broadcast_fanout_seconds_count");
    expect(count).toMatchObject({ value: 1, labels: { event: "clear-circles" } });
  });
});

describe("registries", () => {
  it("are one per factory call, so several servers can live in one process", async () => {
    const first = createMetrics(new Presence());
    const second = createMetrics(new Presence());
    first.circlesAdded.inc(3);

    expect(first.registry).not.toBe(second.registry);
    expect(await value(first, "circles_circles_relayed_total")).toBe(3);
    expect(await value(second, "circles_circles_relayed_total")).toBe(0);
  });

  it("hold the process's default metrics, event-loop lag included", async () => {
    const text = await createMetrics(new Presence()).registry.metrics();
    expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });
});
