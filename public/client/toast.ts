/**
 * One small, polite message at the bottom of the screen: errors from the
 * server, "Link copied". The element stays in the page (an empty live region)
 * so screen readers announce each message as it appears.
 */

export type ToastKind = "info" | "error";

export class Toaster {
  readonly #element: HTMLElement;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(element: HTMLElement) {
    this.#element = element;
    this.#element.hidden = false;
  }

  show(message: string, kind: ToastKind = "info", durationMs = 3500): void {
    clearTimeout(this.#timer);
    this.#element.dataset.kind = kind;
    this.#element.textContent = message;
    this.#element.classList.remove("is-visible");
    void this.#element.offsetWidth; // restart the entrance animation for a repeated message
    this.#element.classList.add("is-visible");
    this.#timer = setTimeout(() => this.hide(), durationMs);
  }

  hide(): void {
    clearTimeout(this.#timer);
    this.#element.classList.remove("is-visible");
    this.#element.textContent = "";
  }
}
