/**
 * What screen readers hear of what others do: messages for a polite live
 * region, at most one every INTERVAL_MS so that a busy board does not drown
 * everything else out. Anything said in between is saved up and said
 * together, and bursts (new circles) are counted rather than listed: one
 * "3 new circles by AB and CD", not three messages.
 *
 * Any part of the page can call `announce(text)` (chat, for instance); the
 * Announcer class is the plain part, with its clock and timer passed in.
 */

export const INTERVAL_MS = 2000;

export interface AnnouncerOptions {
  /** Where a message goes: the live region, in the page. */
  speak: (message: string) => void;
  intervalMs?: number;
  now?: () => number;
  schedule?: (run: () => void, delayMs: number) => void;
}

type Entry = { text: string } | { topic: string; items: string[]; describe: (items: readonly string[]) => string };

export class Announcer {
  readonly #speak: (message: string) => void;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #schedule: (run: () => void, delayMs: number) => void;
  #entries: Entry[] = [];
  #lastSpoken = Number.NEGATIVE_INFINITY;
  #scheduled = false;

  constructor(options: AnnouncerOptions) {
    this.#speak = options.speak;
    this.#intervalMs = options.intervalMs ?? INTERVAL_MS;
    this.#now = options.now ?? (() => performance.now());
    this.#schedule = options.schedule ?? ((run, delayMs) => void setTimeout(run, delayMs));
  }

  /** Say this, with whatever else comes up before the next message may go. */
  say(text: string): void {
    const trimmed = text.trim();
    if (!trimmed) return;
    this.#entries.push({ text: trimmed });
    this.#request();
  }

  /**
   * Count one more of a burst, e.g. a circle by "AB": until the next message
   * goes, the items of one topic pile up and are put in words once, by
   * `describe`, where the first of them came.
   */
  tally(topic: string, item: string, describe: (items: readonly string[]) => string): void {
    const entry = this.#entries.find((e) => "topic" in e && e.topic === topic);
    if (entry && "items" in entry) entry.items.push(item);
    else this.#entries.push({ topic, items: [item], describe });
    this.#request();
  }

  /** Forget a topic's items not yet said (the circles of a board just cleared). */
  drop(topic: string): void {
    this.#entries = this.#entries.filter((e) => !("topic" in e) || e.topic !== topic);
  }

  #request(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Never at once: whatever else happens in this turn (a tick's batch of circles) joins the message.
    this.#schedule(() => this.#flush(), Math.max(0, this.#lastSpoken + this.#intervalMs - this.#now()));
  }

  #flush(): void {
    this.#scheduled = false;
    const parts = this.#entries.map((e) => ("text" in e ? e.text : e.describe(e.items)));
    this.#entries = [];
    if (parts.length === 0) return;
    this.#lastSpoken = this.#now();
    this.#speak(parts.map((part) => (/[.!?…]$/.test(part) ? part : `${part}.`)).join(" "));
  }
}

/**
 * Writes each message into the live region as a new paragraph, replacing the
 * last: an addition is announced even when its text is the same as before.
 */
export function liveRegion(region: HTMLElement): (message: string) => void {
  return (message) => {
    const paragraph = document.createElement("p");
    paragraph.textContent = message;
    region.replaceChildren(paragraph);
  };
}

let shared: Announcer | undefined;

/** The page's announcer, speaking into `#announcer` (views/board.ejs). */
export function pageAnnouncer(): Announcer {
  if (!shared) {
    const region = document.getElementById("announcer");
    shared = new Announcer({ speak: region ? liveRegion(region) : () => {} });
  }
  return shared;
}

/** Tell screen-reader users something, politely, batched with the rest. */
export function announce(text: string): void {
  pageAnnouncer().say(text);
}
