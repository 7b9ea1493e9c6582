/**
 * "Your boards": a dialog listing the boards this browser made or visited
 * (boards-history.ts), newest first, each a link, and "Delete <board>" on
 * those it holds a host key for. Deleting asks first, then asks the server
 * on a connection of its own to that board with its host key; done, the
 * board leaves the list (and its key this browser).
 */
import type { Ack } from "../../../lib/protocol/events.js";
import { boardPath } from "../../../lib/protocol/rules.js";
import type { ConfirmRequest } from "../confirm-dialog.js";
import { returnFocus } from "../confirm-dialog.js";
import { byId } from "../dom.js";
import type { BoardsHistory } from "./boards-history.js";

export interface YourBoardsElements {
  open: HTMLButtonElement;
  dialog: HTMLDialogElement;
  list: HTMLUListElement;
  empty: HTMLElement;
  message: HTMLElement;
  close: HTMLButtonElement;
  /** Where focus goes back to when `open` is out of sight once the dialog closes (a phone's folded menu). */
  fallbackFocus: HTMLElement;
}

export interface YourBoardsOptions {
  history: BoardsHistory;
  /** The board this page shows, marked in the list. */
  current: string;
  hostKeyOf: (board: string) => string | undefined;
  forgetHostKey: (board: string) => void;
  confirm: (request: ConfirmRequest, opener: HTMLElement) => Promise<boolean>;
  deleteBoard: (board: string, hostKey: string) => Promise<Ack>;
}

export class YourBoards {
  readonly #el: YourBoardsElements;
  readonly #options: YourBoardsOptions;

  /** On the page's button and dialog (views/board.ejs); `fallbackFocus` as in YourBoardsElements. */
  static onPage(fallbackFocus: HTMLElement, options: YourBoardsOptions): YourBoards {
    return new YourBoards(
      {
        open: byId("your-boards", HTMLButtonElement),
        dialog: byId("boards-dialog", HTMLDialogElement),
        list: byId("boards-list", HTMLUListElement),
        empty: byId("boards-empty", HTMLElement),
        message: byId("boards-message", HTMLElement),
        close: byId("boards-close", HTMLButtonElement),
        fallbackFocus,
      },
      options,
    );
  }

  constructor(elements: YourBoardsElements, options: YourBoardsOptions) {
    this.#el = elements;
    this.#options = options;
    elements.open.addEventListener("click", () => this.open());
    elements.dialog.addEventListener("close", () => returnFocus(elements.open, elements.fallbackFocus));
  }

  open(): void {
    this.#el.message.textContent = "";
    this.#render();
    if (!this.#el.dialog.open) this.#el.dialog.showModal();
  }

  #render(): void {
    const { list, empty } = this.#el;
    const boards = this.#options.history.list();
    list.replaceChildren(...boards.map(({ board }) => this.#item(board)));
    empty.hidden = boards.length > 0;
  }

  #item(board: string): HTMLLIElement {
    const item = document.createElement("li");
    item.className = "boards-item";
    const link = document.createElement("a");
    link.href = boardPath(board);
    link.textContent = board; // names are plain (a–z, 0–9, - and _), but text all the same
    link.className = "boards-link";
    item.append(link);
    if (board === this.#options.current) {
      link.setAttribute("aria-current", "page");
      const here = document.createElement("span");
      here.className = "boards-here";
      here.textContent = "(this board)";
      item.append(" ", here);
    }
    if (this.#options.hostKeyOf(board) !== undefined) {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button button-danger button-small";
      remove.textContent = `Delete ${board}`;
      remove.addEventListener("click", () => void this.#delete(board, remove));
      item.append(remove);
    }
    return item;
  }

  async #delete(board: string, button: HTMLButtonElement): Promise<void> {
    const confirmed = await this.#options.confirm(
      {
        title: `Delete board ${board}?`,
        text: "Every circle and message on it goes, for everyone, and everyone on it is sent away. This cannot be undone.",
        confirm: "Delete board",
      },
      button,
    );
    const hostKey = this.#options.hostKeyOf(board);
    if (!confirmed || hostKey === undefined) return;
    const { message } = this.#el;
    message.textContent = `Deleting ${board}…`;
    button.setAttribute("aria-disabled", "true");
    const ack = await this.#options.deleteBoard(board, hostKey);
    button.removeAttribute("aria-disabled");
    if (!ack.ok) {
      message.textContent = `${board} not deleted: ${ack.error}`;
      return;
    }
    this.#options.history.forget(board);
    this.#options.forgetHostKey(board);
    message.textContent = `${board} deleted`;
    this.#render();
    // The button went with its board: keep the keyboard in the dialog.
    if (this.#el.dialog.open && !this.#el.dialog.contains(document.activeElement)) this.#el.close.focus();
  }
}
