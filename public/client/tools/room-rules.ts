/**
 * The board's rules as this page knows them, from the server's
 * `board-rules` (who may draw, chat and clear, whether the board has a host,
 * and, on joining and after a claim, whether this page is the host) and
 * `board-lock` (the older message for the Clear lock). The server enforces
 * every rule; the page uses them to show what is paused and to say so
 * before asking. Plain: tested without a page.
 */
import type { Audience, BoardRules } from "../../../lib/protocol/events.js";

const isAudience = (value: unknown): value is Audience => value === "everyone" || value === "host";

/** What changed, for listeners: `hostSaid` when the message said whether this page is the host (on joining, after a claim). */
export interface RulesChange {
  hostSaid: boolean;
}

export class RoomRules {
  #draw: Audience = "everyone";
  #chat: Audience = "everyone";
  #clear: Audience = "everyone";
  #hosted = false;
  /** Whether `board-rules` came: until then, whether the board has a host is not known. */
  #known = false;
  #host = false;
  readonly #listeners = new Set<(change: RulesChange) => void>();

  /** The server's `board-rules`; anything malformed is ignored. */
  rules(message: unknown): void {
    if (typeof message !== "object" || message === null) return;
    const { draw, chat, clear, hosted, host } = message as Partial<Record<keyof BoardRules, unknown>>;
    if (!isAudience(draw) || !isAudience(chat) || !isAudience(clear) || typeof hosted !== "boolean") return;
    this.#draw = draw;
    this.#chat = chat;
    this.#clear = clear;
    this.#hosted = hosted;
    this.#known = true;
    if (typeof host === "boolean") this.#host = host;
    this.#notify({ hostSaid: typeof host === "boolean" });
  }

  /** The server's `board-lock`: `{locked}`, with `host` on joining. */
  lock(message: unknown): void {
    if (typeof message !== "object" || message === null) return;
    const { locked, host } = message as { locked?: unknown; host?: unknown };
    if (typeof locked !== "boolean") return;
    this.#clear = locked ? "host" : "everyone";
    // Only a host can lock, so a locked board has one.
    if (locked) this.#hosted = true;
    if (typeof host === "boolean") {
      this.#host = host;
      if (host) this.#hosted = true;
    }
    this.#notify({ hostSaid: typeof host === "boolean" });
  }

  /** This page's claim was accepted (the server says so too, in a `board-rules` of its own). */
  becameHost(): void {
    this.#host = true;
    this.#hosted = true;
    this.#notify({ hostSaid: false });
  }

  /** The host's own answer to `lock-board` or `set-rules`, ahead of the broadcast. */
  applied(rules: { draw?: unknown; chat?: unknown; clear?: unknown }): void {
    if (isAudience(rules.draw)) this.#draw = rules.draw;
    if (isAudience(rules.chat)) this.#chat = rules.chat;
    if (isAudience(rules.clear)) this.#clear = rules.clear;
    this.#notify({ hostSaid: false });
  }

  get host(): boolean {
    return this.#host;
  }

  /** Whether the board has a host; false also while not known. */
  get hosted(): boolean {
    return this.#hosted;
  }

  /** Whether `board-rules` has come: only then is `hosted` the server's word. */
  get known(): boolean {
    return this.#known;
  }

  get drawPaused(): boolean {
    return this.#draw === "host";
  }

  get chatPaused(): boolean {
    return this.#chat === "host";
  }

  get locked(): boolean {
    return this.#clear === "host";
  }

  get mayDraw(): boolean {
    return !this.drawPaused || this.#host;
  }

  get mayChat(): boolean {
    return !this.chatPaused || this.#host;
  }

  /** Whether this page may clear, or undo a clear. */
  get mayClear(): boolean {
    return !this.locked || this.#host;
  }

  /** Whether this page may claim the board: it has no host, and at `seq` nothing has happened on it. */
  mayClaim(seq: number | undefined): boolean {
    return this.#known && !this.#hosted && !this.#host && seq === 0;
  }

  subscribe(listener: (change: RulesChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(change: RulesChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}

/** What the line over the board says while drawing is the host's: the words a player who cannot draw hears. */
export const DRAWING_PAUSED = "The host paused drawing";

export function drawingNote(rules: Pick<RoomRules, "drawPaused" | "host">): string {
  if (!rules.drawPaused) return "";
  return rules.host ? "Drawing is paused for everyone but you" : DRAWING_PAUSED;
}
