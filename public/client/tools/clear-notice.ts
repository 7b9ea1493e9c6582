/**
 * "AB cleared the board", shown to everyone on the board as it happens,
 * with "Undo clear" for as long as the server said the clear can be undone
 * (`board-cleared`'s `undoMs`), when this page may undo it (the board is not
 * locked against it) and there was something to bring back. Undoing brings
 * the circles back for everyone through the server's broadcasts; the notice
 * only asks.
 */
import type { BoardCleared } from "../../../lib/protocol/events.js";

export interface ClearNoticeElements {
  box: HTMLElement;
  text: HTMLElement;
  undo: HTMLButtonElement;
}

/** How long the notice stays when it offers nothing to do. */
const READ_MS = 4000;

export interface ClearNoticeOptions {
  /** Ask the server to undo the clear of `seq`, while it may be (until `until`, ms since the epoch); resolves with an error to show, or null once done. */
  undo: (seq: number, until: number) => Promise<string | null>;
  onError: (message: string) => void;
}

export class ClearNotice {
  readonly #el: ClearNoticeElements;
  readonly #options: ClearNoticeOptions;
  #seq: number | undefined;
  /** When the clear stops being undoable (ms since the epoch). */
  #until = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(elements: ClearNoticeElements, options: ClearNoticeOptions) {
    this.#el = elements;
    this.#options = options;
    elements.undo.addEventListener("click", () => void this.#undo());
  }

  /** `who`: how to name the clearer ("You", or the server's `by`); `undoable`: whether to offer undoing it. */
  show(cleared: BoardCleared, who: string, undoable: boolean): void {
    clearTimeout(this.#timer);
    const offer = undoable && cleared.undoMs > 0;
    this.#seq = offer ? cleared.seq : undefined;
    this.#until = Date.now() + cleared.undoMs;
    this.#el.text.textContent = `${who} cleared the board`;
    this.#el.undo.hidden = !offer;
    this.#el.undo.disabled = false;
    this.#el.box.hidden = false;
    this.#timer = setTimeout(() => this.hide(), offer ? cleared.undoMs : READ_MS);
  }

  /** Gone: its time is up, it was undone, or this page may no longer undo it. */
  hide(): void {
    clearTimeout(this.#timer);
    this.#seq = undefined;
    this.#el.box.hidden = true;
  }

  async #undo(): Promise<void> {
    const seq = this.#seq;
    if (seq === undefined) return;
    this.#el.undo.disabled = true;
    const error = await this.#options.undo(seq, this.#until);
    if (this.#seq !== seq) return;
    if (error === null) return this.hide();
    this.#el.undo.disabled = false;
    this.#options.onError(`Clear not undone: ${error}`);
  }
}
