import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Ack } from "../../../lib/protocol/events.js";
import { LOST_ANSWER_WAIT_MS } from "./policy.js";
import { ANSWER_LOST, NOT_CONNECTED, sendNow, type Link } from "./send-now.js";

/** A socket's connection, switched by the test. */
function fakeLink(connected: boolean): Link & { set(connected: boolean): void } {
  const listeners = { connect: new Set<() => void>(), disconnect: new Set<() => void>() };
  let now = connected;
  return {
    get connected() {
      return now;
    },
    once(event, listener) {
      const once = () => {
        listeners[event].delete(once);
        listener();
      };
      listeners[event].add(once);
      return () => void listeners[event].delete(once);
    },
    set(next) {
      now = next;
      for (const listener of [...listeners[next ? "connect" : "disconnect"]]) listener();
    },
  };
}

/** Requests that wait for the test to answer them, with the op each carried. */
function requests() {
  const made: { op: string; answer: (ack: Ack) => void }[] = [];
  const request = (op: string) => new Promise<Ack>((answer) => void made.push({ op, answer }));
  return { made, request };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("sendNow", () => {
  it("refuses at once while offline, sending nothing", async () => {
    const { made, request } = requests();
    expect(await sendNow(fakeLink(false), request)).toBe(NOT_CONNECTED);
    expect(made).toEqual([]);
  });

  it("sends once, with an operation id, and gives the answer", async () => {
    const { made, request } = requests();
    const answer = sendNow(fakeLink(true), request);
    made[0]?.answer({ ok: false, error: "the host paused chat", code: "refused" });
    expect(await answer).toEqual({ ok: false, error: "the host paused chat", code: "refused" });
    expect(made).toHaveLength(1);
    expect(made[0]?.op).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });

  it("sends again once, with the same op, when a disconnection lost the answer and the page is back in time", async () => {
    const link = fakeLink(true);
    const { made, request } = requests();
    const answer = sendNow(link, request);
    link.set(false);
    await vi.advanceTimersByTimeAsync(LOST_ANSWER_WAIT_MS - 1);
    link.set(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(made.map(({ op }) => op)).toEqual([made[0]?.op, made[0]?.op]);
    made[1]?.answer({ ok: true });
    expect(await answer).toEqual({ ok: true });
  });

  it("gives up when the page is not back within LOST_ANSWER_WAIT_MS, or loses the second answer too", async () => {
    const link = fakeLink(true);
    const { made, request } = requests();
    const late = sendNow(link, request);
    link.set(false);
    await vi.advanceTimersByTimeAsync(LOST_ANSWER_WAIT_MS);
    expect(await late).toBe(ANSWER_LOST);
    expect(made).toHaveLength(1);

    link.set(true);
    const twice = sendNow(link, request);
    link.set(false);
    link.set(true);
    await vi.advanceTimersByTimeAsync(0);
    link.set(false);
    expect(await twice).toBe(ANSWER_LOST);
    expect(made).toHaveLength(3);
  });
});
