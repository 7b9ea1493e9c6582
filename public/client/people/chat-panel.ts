/**
 * The board's chat: the messages, newest last, and a box to write in. Text
 * only: names and messages come from other people and are set as text,
 * never as HTML. On small screens the panel folds away behind its toggle,
 * which counts what arrived meanwhile. While the host keeps chat to
 * themselves, the box is disabled and says so.
 */
import type { ChatMessage } from "../../../lib/protocol/events.js";

/** Messages kept in the page; older ones scroll away for good. */
const KEPT = 200;

export interface ChatElements {
  panel: HTMLElement;
  list: HTMLOListElement;
  form: HTMLFormElement;
  input: HTMLInputElement;
  toggle: HTMLButtonElement;
  unread: HTMLElement;
  send: HTMLButtonElement;
  /** Why the box is disabled, when it is; a live region, empty otherwise. */
  note: HTMLElement;
}

export const CHAT_PAUSED = "The host paused chat";

export interface ChatPanelOptions {
  /** Sends a message; resolves with why it was refused, or null. */
  send: (text: string) => Promise<string | null>;
  /** What screen readers are told of messages from others. */
  announce: (text: string) => void;
}

/** Keep in step with style.css: a phone either way up. */
const SMALL_SCREEN = "(max-width: 720px), (orientation: landscape) and (max-height: 540px)";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

export class ChatPanel {
  readonly #elements: ChatElements;
  readonly #options: ChatPanelOptions;
  #unread = 0;

  constructor(elements: ChatElements, options: ChatPanelOptions) {
    this.#elements = elements;
    this.#options = options;
    elements.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#submit();
    });
    elements.toggle.addEventListener("click", () => this.#setOpen(Boolean(elements.panel.hidden)));
    // A phone's screen is the board's: chat starts folded there.
    if (matchMedia(SMALL_SCREEN).matches) this.#setOpen(false);
  }

  /** The board's recent messages, on joining: they replace what the page had. */
  history(messages: readonly ChatMessage[]): void {
    this.#elements.list.replaceChildren(...messages.map((message) => this.#item(message)));
    this.#scroll();
  }

  /** A message as it arrives; `mine` when this page sent it (not announced back). */
  add(message: ChatMessage, mine: boolean): void {
    const { list, panel } = this.#elements;
    list.append(this.#item(message));
    while (list.childElementCount > KEPT) list.firstElementChild?.remove();
    this.#scroll();
    if (!mine) this.#options.announce(`${message.user}: ${message.text}`);
    if (panel.hidden) this.#countUnread(this.#unread + 1);
  }

  /** Whether the host keeps chat to themselves (and this page is not the host). */
  setPaused(paused: boolean): void {
    const { input, send, note } = this.#elements;
    if (input.disabled === paused) return;
    input.disabled = paused;
    send.disabled = paused;
    note.textContent = paused ? CHAT_PAUSED : "";
  }

  async #submit(): Promise<void> {
    const { input } = this.#elements;
    const text = input.value.trim();
    if (!text) return;
    input.setCustomValidity("");
    const error = await this.#options.send(text);
    if (error) {
      input.setCustomValidity(error);
      input.reportValidity();
      return;
    }
    input.value = "";
  }

  #item(message: ChatMessage): HTMLLIElement {
    const item = document.createElement("li");
    item.className = message.bot ? "chat-message is-bot" : "chat-message";
    const user = document.createElement("span");
    user.className = "chat-user";
    user.textContent = message.user;
    user.style.setProperty("--chat-colour", message.colour);
    const text = document.createElement("span");
    text.className = "chat-text";
    text.textContent = message.text;
    const time = document.createElement("time");
    time.className = "chat-time";
    const at = new Date(message.time);
    time.dateTime = at.toISOString();
    time.textContent = timeFormat.format(at);
    item.append(time, user, text);
    return item;
  }

  #scroll(): void {
    const { list } = this.#elements;
    list.scrollTop = list.scrollHeight;
  }

  #setOpen(open: boolean): void {
    const { panel, toggle, input } = this.#elements;
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) {
      this.#countUnread(0);
      this.#scroll();
      input.focus();
    }
  }

  #countUnread(count: number): void {
    this.#unread = count;
    const { unread } = this.#elements;
    unread.textContent = count > 0 ? String(count) : "";
    unread.hidden = count === 0;
  }
}
