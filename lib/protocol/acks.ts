/**
 * Socket.IO hands a listener whatever the client sent: the acknowledgement
 * callback, when the client asked for one, is the last argument. Clients
 * written against the lesson send no callback at all, or extra arguments,
 * so nothing here assumes the shape.
 */
import type { AckCallback } from "./events.js";

export interface SplitArgs<T extends object> {
  payload: unknown;
  /** Answers the client; does nothing when it asked for no answer. */
  reply: AckCallback<T>;
}

export function splitAck<T extends object = object>(args: unknown[]): SplitArgs<T> {
  const last = args.at(-1);
  if (typeof last === "function") {
    return { payload: args.length > 1 ? args[0] : undefined, reply: (response) => last(response) };
  }
  return { payload: args[0], reply: () => {} };
}
