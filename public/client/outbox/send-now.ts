/**
 * Writes that do not wait for a connection: chat, the host's actions, an
 * Undo that names no circle. Sent only while connected (else refused at
 * once, for the page to say so), with an operation id made for this one
 * action. When the connection drops before the answer, it is sent again,
 * once, with the same id, if the page is back within LOST_ANSWER_WAIT_MS:
 * the server does it at most once and answers as it did.
 */
import type { Ack, Refusal } from "../../../lib/protocol/events.js";
import { newId } from "./ids.js";
import { LOST_ANSWER_WAIT_MS } from "./policy.js";

/** The socket as far as this goes: whether it is connected, and its next (dis)connection. */
export interface Link {
  readonly connected: boolean;
  /** Calls `listener` on the next such event only; returns what stops waiting for it. */
  once(event: "connect" | "disconnect", listener: () => void): () => void;
}

export const NOT_CONNECTED: Refusal = { ok: false, error: "not connected: waiting to reconnect…", code: "unavailable" };
export const ANSWER_LOST: Refusal = { ok: false, error: "the connection dropped before the server answered", code: "unavailable" };

const LOST = Symbol("lost");

export async function sendNow<T extends object>(link: Link, send: (op: string) => Promise<Ack<T>>, waitMs = LOST_ANSWER_WAIT_MS): Promise<Ack<T>> {
  if (!link.connected) return NOT_CONNECTED;
  const op = newId();
  const first = await unlessDisconnected(link, send(op));
  if (first !== LOST) return first;
  if (!(await reconnected(link, waitMs))) return ANSWER_LOST;
  const second = await unlessDisconnected(link, send(op));
  return second === LOST ? ANSWER_LOST : second;
}

function unlessDisconnected<A>(link: Link, answer: Promise<A>): Promise<A | typeof LOST> {
  return new Promise((resolve) => {
    const stop = link.once("disconnect", () => resolve(LOST));
    void answer.then((value) => {
      stop();
      resolve(value);
    });
  });
}

function reconnected(link: Link, waitMs: number): Promise<boolean> {
  if (link.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const stop = link.once("connect", () => {
      clearTimeout(timer);
      resolve(true);
    });
    const timer = setTimeout(() => {
      stop();
      resolve(false);
    }, waitMs);
  });
}
