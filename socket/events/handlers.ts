/**
 * Every event a client may send, with the handler that checks and serves
 * it: one table for every connection of every server, so that a connection
 * holds no listener of its own (`connection.ts` hands each event to it).
 */
import { boardControls } from "./board-controls.js";
import { chatAndPointers } from "./chat-and-pointers.js";
import type { ClientEvent, Handlers } from "./context.js";
import { drawing } from "./drawing.js";
import { hostControls } from "./host-controls.js";

export const HANDLERS: Handlers = { ...drawing, ...chatAndPointers, ...boardControls, ...hostControls };

/** Clients choose events' names: only the table's own are events (not `__proto__`, `toString`...). */
export const isClientEvent = (event: unknown): event is ClientEvent => typeof event === "string" && Object.hasOwn(HANDLERS, event);
