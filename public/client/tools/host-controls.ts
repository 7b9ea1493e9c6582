/**
 * The host's controls, shown while the server says this page is the board's
 * host (`board-rules`' `host`): "Pause drawing" / "Resume drawing", "Pause
 * chat" / "Resume chat", "Lock Clear" / "Unlock Clear", "Copy host link"
 * (the board's address with its host key in the fragment, which makes
 * whoever opens it host too) and "Delete board", after asking. While the
 * board is locked everyone else's Clear is disabled, titled "Locked by the
 * host". The server enforces every rule; this only asks and shows.
 *
 * It also makes this page the host when it may: a board this browser made
 * ("New board" keeps its host key) is claimed right after joining, while
 * nothing has happened on it yet; any other board nobody has used and nobody
 * hosts offers "Become host", which makes a host key for it and claims it.
 */
import type { Ack, Audience, BoardRules } from "../../../lib/protocol/events.js";
import type { ConfirmRequest } from "../confirm-dialog.js";
import { byId } from "../dom.js";
import type { RoomRules } from "./room-rules.js";

export interface HostControlsElements {
  /** The group of the host's buttons, hidden from everyone else. */
  tools: HTMLElement;
  clear: HTMLButtonElement;
  lock: HTMLButtonElement;
  pauseDrawing: HTMLButtonElement;
  pauseChat: HTMLButtonElement;
  copyHostLink: HTMLButtonElement;
  deleteBoard: HTMLButtonElement;
  becomeHost: HTMLButtonElement;
}

export interface HostControlsOptions {
  rules: RoomRules;
  /** This browser's host key for the board, if it has one. */
  hostKey: () => string | undefined;
  /** The seq the page is at: a board can be claimed only before its first change. */
  seq: () => number | undefined;
  /** Claim the board with the handshake's host key, or with `hostKey`, made for it. */
  claim: (hostKey?: string) => Promise<Ack>;
  /** A new host key for this board, kept by the browser. */
  makeHostKey: () => string;
  /** The board was used or claimed before this browser could claim it: its key is of no use. */
  forgetHostKey: () => void;
  setLocked: (locked: boolean) => Promise<Ack<{ locked: boolean }>>;
  setRules: (rules: { draw?: Audience; chat?: Audience }) => Promise<Ack<{ rules: BoardRules }>>;
  /** Put the host link on the clipboard (or show it to copy) and say so. */
  copyHostLink: (hostKey: string) => Promise<void>;
  confirm: (request: ConfirmRequest, opener: HTMLElement) => Promise<boolean>;
  deleteBoard: () => Promise<Ack>;
  onError: (message: string) => void;
}

export const LOCKED_TITLE = "Locked by the host";

export class HostControls {
  readonly #el: HostControlsElements;
  readonly #options: HostControlsOptions;
  readonly #rules: RoomRules;
  #claiming = false;

  /** On the page's own buttons (views/board.ejs). */
  static onPage(options: HostControlsOptions): HostControls {
    return new HostControls(
      {
        tools: byId("host-tools", HTMLElement),
        clear: byId("clear", HTMLButtonElement),
        lock: byId("lock", HTMLButtonElement),
        pauseDrawing: byId("pause-drawing", HTMLButtonElement),
        pauseChat: byId("pause-chat", HTMLButtonElement),
        copyHostLink: byId("copy-host-link", HTMLButtonElement),
        deleteBoard: byId("delete-board", HTMLButtonElement),
        becomeHost: byId("become-host", HTMLButtonElement),
      },
      options,
    );
  }

  constructor(elements: HostControlsElements, options: HostControlsOptions) {
    this.#el = elements;
    this.#options = options;
    this.#rules = options.rules;
    this.#rules.subscribe(({ hostSaid }) => {
      if (hostSaid) this.#claimIfMine();
      this.refresh();
    });
    // Pending requests mark their button aria-disabled rather than disabled, which would drop the keyboard's focus.
    this.#onClick(elements.lock, () => this.#toggleLock());
    this.#onClick(elements.pauseDrawing, () => this.#toggle("draw"));
    this.#onClick(elements.pauseChat, () => this.#toggle("chat"));
    this.#onClick(elements.becomeHost, () => this.#claim(this.#options.makeHostKey()));
    this.#onClick(elements.copyHostLink, async () => {
      const key = this.#options.hostKey();
      if (key) await this.#options.copyHostLink(key);
    });
    this.#onClick(elements.deleteBoard, () => this.#delete());
    this.refresh();
  }

  /** Show what the rules and the board's seq now allow (call when the seq moves: "Become host" goes once anything happened). */
  refresh(): void {
    const { tools, clear, lock, pauseDrawing, pauseChat, copyHostLink, becomeHost } = this.#el;
    const rules = this.#rules;
    tools.hidden = !rules.host;
    setToggle(lock, rules.locked, "Unlock Clear", "Lock Clear");
    setToggle(pauseDrawing, rules.drawPaused, "Resume drawing", "Pause drawing");
    setToggle(pauseChat, rules.chatPaused, "Resume chat", "Pause chat");
    // The operator's admin key gives the host's powers without a host key: then there is no link to give.
    copyHostLink.hidden = this.#options.hostKey() === undefined;
    becomeHost.hidden = this.#claiming || !rules.mayClaim(this.#options.seq());
    clear.disabled = !rules.mayClear;
    if (rules.locked) clear.title = rules.host ? "Locked: only you, the host, can clear" : LOCKED_TITLE;
    else clear.removeAttribute("title");
  }

  /** On joining: the board this browser made is claimed while nobody used it; otherwise its key is of no use. */
  #claimIfMine(): void {
    const rules = this.#rules;
    if (rules.host || this.#claiming || this.#options.hostKey() === undefined) return;
    if (this.#options.seq() !== 0 || (rules.known && rules.hosted)) return this.#options.forgetHostKey();
    void this.#claim();
  }

  async #claim(hostKey?: string): Promise<void> {
    const pressed = document.activeElement === this.#el.becomeHost;
    this.#claiming = true;
    this.refresh();
    const ack = await this.#options.claim(hostKey);
    this.#claiming = false;
    if (ack.ok) {
      this.#rules.becameHost();
      // "Become host" is gone: the keyboard goes on to what the host may do now.
      if (pressed) this.#el.pauseDrawing.focus();
      return;
    }
    if (hostKey !== undefined) this.#options.forgetHostKey();
    this.refresh();
    this.#options.onError(`Not made the host of this board: ${ack.error}`);
  }

  async #toggleLock(): Promise<void> {
    const wanted = !this.#rules.locked;
    const ack = await this.#options.setLocked(wanted);
    if (!ack.ok) return this.#options.onError(`${wanted ? "Not locked" : "Not unlocked"}: ${ack.error}`);
    this.#rules.applied({ clear: ack.locked ? "host" : "everyone" });
  }

  async #toggle(which: "draw" | "chat"): Promise<void> {
    const pause = which === "draw" ? !this.#rules.drawPaused : !this.#rules.chatPaused;
    const ack = await this.#options.setRules({ [which]: pause ? "host" : "everyone" });
    if (!ack.ok) {
      const what = which === "draw" ? "Drawing" : "Chat";
      return this.#options.onError(`${what} not ${pause ? "paused" : "resumed"}: ${ack.error}`);
    }
    this.#rules.applied(ack.rules);
  }

  async #delete(): Promise<void> {
    const confirmed = await this.#options.confirm(
      {
        title: "Delete this board?",
        text: "Every circle and message on it goes, for everyone, and everyone on it is sent away. This cannot be undone.",
        confirm: "Delete board",
      },
      this.#el.deleteBoard,
    );
    if (!confirmed) return;
    const ack = await this.#options.deleteBoard();
    // When it worked the server says so to every page of the board, this one included (`board-deleted`).
    if (!ack.ok) this.#options.onError(`Board not deleted: ${ack.error}`);
  }

  /** One request at a time per button: aria-disabled while it is under way. */
  #onClick(button: HTMLButtonElement, action: () => Promise<void>): void {
    button.addEventListener("click", async () => {
      if (button.getAttribute("aria-disabled") === "true") return;
      button.setAttribute("aria-disabled", "true");
      try {
        await action();
      } finally {
        button.removeAttribute("aria-disabled");
      }
    });
  }
}

/** A button that says what pressing it does: its name changes with the state (and `data-on` styles it). */
function setToggle(button: HTMLButtonElement, on: boolean, whenOn: string, whenOff: string): void {
  button.textContent = on ? whenOn : whenOff;
  button.toggleAttribute("data-on", on);
}
