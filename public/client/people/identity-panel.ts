/**
 * Who you are on the board: the initials form (shown until you have chosen
 * some, and again when you press "Change") and the "You are AB" chip.
 */
import { INITIALS_HINT, normaliseInitials } from "./initials.js";

export interface IdentityElements {
  /** The section holding the form; hidden while not asking. */
  panel: HTMLElement;
  form: HTMLFormElement;
  input: HTMLInputElement;
  message: HTMLElement;
  submit: HTMLButtonElement;
  cancel: HTMLButtonElement;
  chip: HTMLElement;
  chipName: HTMLElement;
  change: HTMLButtonElement;
}

/** Resolves with an error to show, or null once the initials are accepted. */
export type ChooseInitials = (initials: string) => Promise<string | null>;

export class IdentityPanel {
  readonly #el: IdentityElements;
  readonly #choose: ChooseInitials;
  #current: string | null = null;

  constructor(elements: IdentityElements, choose: ChooseInitials) {
    this.#el = elements;
    this.#choose = choose;
    elements.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#submit();
    });
    elements.input.addEventListener("input", () => {
      if (elements.input.getAttribute("aria-invalid") === "true" && normaliseInitials(elements.input.value)) {
        this.#setMessage("");
      }
    });
    elements.cancel.addEventListener("click", () => this.close());
    elements.form.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.#current) this.close();
    });
    elements.change.addEventListener("click", () => this.open());
  }

  /** Show who we are (or, with null, ask). */
  setCurrent(initials: string | null): void {
    this.#current = initials;
    this.#el.chipName.textContent = initials ?? "";
    if (initials) this.close();
    else this.open();
  }

  open(): void {
    const { panel, input, cancel, chip, submit } = this.#el;
    panel.hidden = false;
    chip.hidden = true;
    cancel.hidden = !this.#current;
    submit.textContent = this.#current ? "Save" : "Start drawing";
    input.value = this.#current ?? "";
    this.#setMessage("");
    input.focus();
    input.select();
  }

  close(): void {
    this.#el.panel.hidden = true;
    this.#el.chip.hidden = !this.#current;
    this.#setMessage("");
    this.#el.panel.classList.remove("is-attention");
  }

  /** Someone tried to draw without initials: bring the form forward and say why. */
  prompt(message: string): void {
    if (this.#el.panel.hidden) this.open();
    const { panel, input } = this.#el;
    input.focus();
    this.#setMessage(message, "hint");
    panel.classList.remove("is-attention");
    void panel.offsetWidth; // restart the attention animation
    panel.classList.add("is-attention");
  }

  async #submit(): Promise<void> {
    const { input, submit } = this.#el;
    const initials = normaliseInitials(input.value);
    if (!initials) {
      this.#setMessage(INITIALS_HINT, "error");
      input.focus();
      input.select();
      return;
    }
    submit.disabled = true;
    try {
      const error = await this.#choose(initials);
      if (error) {
        this.#setMessage(error, "error");
        input.focus();
      } else {
        this.setCurrent(initials);
      }
    } finally {
      submit.disabled = false;
    }
  }

  #setMessage(text: string, kind: "error" | "hint" = "hint"): void {
    const { message, input } = this.#el;
    message.textContent = text;
    message.dataset.kind = kind;
    message.hidden = text === "";
    if (kind === "error" && text) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}
