/**
 * The board's lock as this page shows it. The host (whoever made the board
 * with "New board", proven by the host key this browser keeps) sees "Lock
 * Clear" / "Unlock Clear"; while the board is locked everyone else's Clear
 * is disabled, titled "Locked by the host". The server enforces it; this
 * only shows it. It also claims a new board for its maker: right after
 * joining, while nothing has happened on it yet.
 */
import type { Ack, BoardLock } from "../../../lib/protocol/events.js";

export interface HostControlsElements {
  clear: HTMLButtonElement;
  lock: HTMLButtonElement;
}

export interface HostControlsOptions {
  /** Whether this browser made the board (has its host key). */
  hasHostKey: () => boolean;
  /** The seq the page is at: a board can be claimed only before its first change. */
  seq: () => number | undefined;
  claim: () => Promise<Ack>;
  /** The board was used before this browser could claim it: its key is of no use. */
  forgetHostKey: () => void;
  setLocked: (locked: boolean) => Promise<Ack<{ locked: boolean }>>;
  onError: (message: string) => void;
}

export const LOCKED_TITLE = "Locked by the host";

export class HostControls {
  readonly #el: HostControlsElements;
  readonly #options: HostControlsOptions;
  #host = false;
  #locked = false;

  constructor(elements: HostControlsElements, options: HostControlsOptions) {
    this.#el = elements;
    this.#options = options;
    elements.lock.addEventListener("click", () => void this.#toggle());
    this.#render();
  }

  /** Whether this page may clear, or undo a clear. */
  get mayClear(): boolean {
    return !this.#locked || this.#host;
  }

  /** The server's `board-lock`: on joining (with `host`), and when the lock changes. */
  update(lock: BoardLock): void {
    if (typeof lock?.locked !== "boolean") return;
    this.#locked = lock.locked;
    if (typeof lock.host === "boolean") {
      this.#host = lock.host;
      if (!lock.host && this.#options.hasHostKey()) void this.#claim();
    }
    this.#render();
  }

  async #claim(): Promise<void> {
    if (this.#options.seq() !== 0) return this.#options.forgetHostKey();
    const ack = await this.#options.claim();
    if (ack.ok) {
      this.#host = true;
      this.#render();
    } else {
      this.#options.onError(`Not made the host of this board: ${ack.error}`);
    }
  }

  async #toggle(): Promise<void> {
    const wanted = !this.#locked;
    this.#el.lock.disabled = true;
    const ack = await this.#options.setLocked(wanted);
    this.#el.lock.disabled = false;
    if (!ack.ok) return this.#options.onError(`${wanted ? "Not locked" : "Not unlocked"}: ${ack.error}`);
    this.#locked = ack.locked;
    this.#render();
  }

  #render(): void {
    const { clear, lock } = this.#el;
    lock.hidden = !this.#host;
    lock.textContent = this.#locked ? "Unlock Clear" : "Lock Clear";
    lock.setAttribute("aria-pressed", String(this.#locked));
    clear.disabled = !this.mayClear;
    if (this.#locked) clear.title = this.#host ? "Locked: only you, the host, can clear" : LOCKED_TITLE;
    else clear.removeAttribute("title");
  }
}
