/**
 * The page's end on this board: the host removed this player, or deleted
 * the board. A message over the whole page says so, with somewhere to go
 * ("Start a new board", the main board); the rest of the page is inert
 * behind it, and the caller stops reconnecting and drawing.
 */
import { boardPath } from "../../lib/protocol/rules.js";
import { byId } from "./dom.js";

export type EndReason = "removed" | "deleted" | "expired";

const MESSAGES: Record<EndReason, { title: string; text: string }> = {
  removed: {
    title: "The host removed you from this board.",
    text: "You can start a board of your own, or ask the host to let you back in.",
  },
  deleted: {
    title: "This board was deleted by its host.",
    text: "Its circles and messages are gone for everyone.",
  },
  expired: {
    title: "This board was deleted after going unused.",
    text: "Its circles and messages are gone for everyone.",
  },
};

/** How the server's `board-deleted` reason reads: a board the retention sweep took, or one its host deleted. */
export function deletedReason(reason: unknown): EndReason {
  return typeof reason === "string" && /unused/i.test(reason) ? "expired" : "deleted";
}

/** A `connect_error` that means this page must not come back: the host removed its player. */
export function isRemovedRefusal(message: string): boolean {
  return /\bremoved\b/i.test(message);
}

export interface BoardEndedElements {
  overlay: HTMLElement;
  title: HTMLElement;
  text: HTMLElement;
  newBoard: HTMLAnchorElement;
  mainBoard: HTMLAnchorElement;
}

export interface BoardEndedOptions {
  /** A fresh board's name, for "Start a new board". */
  freshBoard: () => string;
  /** The player goes to that board: make it theirs, as "New board" does. */
  onNewBoard: (board: string) => void;
}

export class BoardEnded {
  readonly #el: BoardEndedElements;
  readonly #options: BoardEndedOptions;
  #reason: EndReason | undefined;
  #fresh: string | undefined;

  /** On the page's message (views/board.ejs). */
  static onPage(options: BoardEndedOptions): BoardEnded {
    return new BoardEnded(
      {
        overlay: byId("ended", HTMLElement),
        title: byId("ended-title", HTMLElement),
        text: byId("ended-text", HTMLElement),
        newBoard: byId("ended-new-board", HTMLAnchorElement),
        mainBoard: byId("ended-default-board", HTMLAnchorElement),
      },
      options,
    );
  }

  constructor(elements: BoardEndedElements, options: BoardEndedOptions) {
    this.#el = elements;
    this.#options = options;
    elements.newBoard.addEventListener("click", () => {
      if (this.#fresh !== undefined) this.#options.onNewBoard(this.#fresh);
    });
  }

  get ended(): boolean {
    return this.#reason !== undefined;
  }

  show(reason: EndReason): void {
    if (this.#reason === reason) return;
    this.#reason = reason;
    const { overlay, title, text, mainBoard, newBoard } = this.#el;
    this.#fresh ??= this.#options.freshBoard();
    newBoard.href = boardPath(this.#fresh);
    title.textContent = MESSAGES[reason].title;
    text.textContent = MESSAGES[reason].text;
    // Removed from the main board, it is no place to send them.
    mainBoard.hidden = reason === "removed";
    for (const dialog of document.querySelectorAll("dialog")) if (dialog.open) dialog.close();
    for (const element of document.body.children) {
      if (element !== overlay && element instanceof HTMLElement && element.getAttribute("aria-live") === null) element.inert = true;
    }
    overlay.hidden = false;
    title.focus();
  }
}
