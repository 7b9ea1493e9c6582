import { describe, expect, it } from "vitest";
import { splitAck } from "./acks.js";
import type { Ack } from "./events.js";

/** A callback that records what it was called with. */
function recorder() {
  const calls: unknown[][] = [];
  const callback = (...args: unknown[]) => {
    calls.push(args);
  };
  return { calls, callback };
}

describe("splitAck", () => {
  it("splits a payload and a callback", () => {
    const { calls, callback } = recorder();
    const { payload, reply } = splitAck([{ x: 1 }, callback]);
    expect(payload).toEqual({ x: 1 });
    const response: Ack<{ n: number }> = { ok: true, n: 7 };
    reply(response);
    expect(calls).toEqual([[{ ok: true, n: 7 }]]);
  });

  it("treats a lone callback as the acknowledgement, with no payload", () => {
    const { calls, callback } = recorder();
    const { payload, reply } = splitAck([callback]);
    expect(payload).toBeUndefined();
    reply({ ok: false, error: "nope", code: "invalid" });
    expect(calls).toEqual([[{ ok: false, error: "nope", code: "invalid" }]]);
  });

  it("accepts a payload with no callback, and replies to nobody", () => {
    const { payload, reply } = splitAck(["AB"]);
    expect(payload).toBe("AB");
    expect(reply({ ok: true })).toBeUndefined();
  });

  it("accepts no arguments at all", () => {
    const { payload, reply } = splitAck([]);
    expect(payload).toBeUndefined();
    expect(() => reply({ ok: true })).not.toThrow();
  });

  it("takes the first argument as payload and the last as callback when extras are sent", () => {
    const { calls, callback } = recorder();
    const { payload, reply } = splitAck(["first", "extra", 3, callback]);
    expect(payload).toBe("first");
    reply({ ok: true });
    expect(calls).toEqual([[{ ok: true }]]);
  });

  it("ignores extra arguments when there is no callback", () => {
    const { payload } = splitAck([{ initials: "AB" }, "extra", 42]);
    expect(payload).toEqual({ initials: "AB" });
  });

  it("does not take a function in the middle for the callback", () => {
    const { calls, callback } = recorder();
    const { payload, reply } = splitAck(["p", callback, "last"]);
    expect(payload).toBe("p");
    reply({ ok: true });
    expect(calls).toEqual([]);
  });

  it("keeps falsy payloads as they are", () => {
    const { callback } = recorder();
    expect(splitAck([0, callback]).payload).toBe(0);
    expect(splitAck([null, callback]).payload).toBeNull();
    expect(splitAck([""]).payload).toBe("");
  });
});
