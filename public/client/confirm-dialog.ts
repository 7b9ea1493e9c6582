/**
 * "Are you sure?" before something that cannot be undone, in the page's
 * <dialog>: modal (the rest of the page is inert meanwhile), with a heading,
 * what will happen, and two buttons, Cancel first and focused. Escape
 * cancels. Focus goes back to the button that asked, or, when that is gone
 * from view (a menu that closed), to `fallback`.
 */
import { byId } from "./dom.js";

export interface ConfirmRequest {
  title: string;
  text: string;
  /** The button that goes ahead, named for what it does: "Delete board". */
  confirm: string;
}

export interface ConfirmElements {
  dialog: HTMLDialogElement;
  title: HTMLElement;
  text: HTMLElement;
  confirm: HTMLButtonElement;
}

export class ConfirmDialog {
  readonly #el: ConfirmElements;
  #answer: ((confirmed: boolean) => void) | undefined;

  /** The page's own dialog (views/board.ejs). */
  static onPage(): ConfirmDialog {
    return new ConfirmDialog({
      dialog: byId("confirm-dialog", HTMLDialogElement),
      title: byId("confirm-title", HTMLElement),
      text: byId("confirm-text", HTMLElement),
      confirm: byId("confirm-ok", HTMLButtonElement),
    });
  }

  constructor(elements: ConfirmElements) {
    this.#el = elements;
    // A form with method="dialog" closes it with the pressed button's value; Escape closes it with none.
    elements.dialog.addEventListener("close", () => {
      const answer = this.#answer;
      this.#answer = undefined;
      answer?.(elements.dialog.returnValue === "confirm");
    });
  }

  /** Resolves true when the player goes ahead. */
  ask(request: ConfirmRequest, opener: HTMLElement | null, fallback?: HTMLElement): Promise<boolean> {
    const { dialog, title, text, confirm } = this.#el;
    if (dialog.open) dialog.close();
    title.textContent = request.title;
    text.textContent = request.text;
    confirm.textContent = request.confirm;
    dialog.returnValue = "";
    return new Promise((resolve) => {
      this.#answer = (confirmed) => {
        returnFocus(opener, fallback);
        resolve(confirmed);
      };
      dialog.showModal();
    });
  }
}

/** Back to where the player was, if it is still there to see; else to `fallback`. */
export function returnFocus(opener: HTMLElement | null, fallback?: HTMLElement): void {
  const target = opener && opener.isConnected && opener.getClientRects().length > 0 ? opener : fallback;
  target?.focus();
}
