/**
 * "More actions": on a phone the board needs the screen, so the secondary
 * actions (New board, Copy link, QR code, Your boards, Replay, Export and the
 * host's controls) fold into one menu behind this button; on a wide screen
 * the button is not shown (CSS) and they stay in view as a row of tools.
 *
 * It opens and closes on a press, says so in `aria-expanded`, and takes the
 * keyboard to the first action; the arrow keys, Home and End move between
 * actions; Escape closes it and puts the focus back on the button; a press
 * anywhere else closes it. Pressing an action leaves it open (pausing
 * drawing and chat is two presses), except one that opens a dialog or leaves.
 */
import { byId } from "../dom.js";

/** Keep in step with style.css: a phone either way up. */
export const SMALL_SCREEN = "(max-width: 720px), (orientation: landscape) and (max-height: 540px)";

const FOCUSABLE = "button, summary, a[href], input, [tabindex]:not([tabindex='-1'])";

export interface ActionsMenuElements {
  toggle: HTMLButtonElement;
  panel: HTMLElement;
}

export class ActionsMenu {
  readonly #toggle: HTMLButtonElement;
  readonly #panel: HTMLElement;
  readonly #small: MediaQueryList;

  /** The page's menu (views/board.ejs). */
  static onPage(): ActionsMenu {
    return new ActionsMenu({ toggle: byId("more-actions-toggle", HTMLButtonElement), panel: byId("more-actions", HTMLElement) });
  }

  /** The menu's button: where focus goes back to when what it opened closes and the opener is folded away. */
  get toggle(): HTMLButtonElement {
    return this.#toggle;
  }

  constructor({ toggle, panel }: ActionsMenuElements) {
    this.#toggle = toggle;
    this.#panel = panel;
    this.#small = matchMedia(SMALL_SCREEN);
    toggle.addEventListener("click", () => (this.isOpen ? this.close() : this.open()));
    toggle.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        this.open(event.key === "ArrowUp" ? "last" : "first");
      } else if (event.key === "Escape" && this.isOpen) {
        event.preventDefault();
        this.close();
      }
    });
    panel.addEventListener("keydown", (event) => this.#key(event));
    panel.addEventListener("click", (event) => {
      const action = (event.target as Element | null)?.closest("button, a[href]");
      if (action && (action.getAttribute("aria-haspopup") === "dialog" || action.id === "new-board")) this.close(false);
    });
    document.addEventListener("pointerdown", (event) => {
      const target = event.target as Node | null;
      if (!this.isOpen || !target || this.#panel.contains(target) || this.#toggle.contains(target)) return;
      // A dialog the menu opened is over it: a press there is not a press outside.
      if (target instanceof Element && target.closest("dialog")) return;
      this.close(false);
    });
    // Grown to a wide screen, the actions are in view whatever the menu was.
    this.#small.addEventListener("change", () => this.close(false));
  }

  get isOpen(): boolean {
    return this.#toggle.getAttribute("aria-expanded") === "true";
  }

  open(focus: "first" | "last" = "first"): void {
    if (!this.#small.matches) return;
    this.#toggle.setAttribute("aria-expanded", "true");
    this.#panel.classList.add("is-open");
    const actions = this.#actions();
    (focus === "first" ? actions[0] : actions.at(-1))?.focus();
  }

  /** `refocus`: put the keyboard back on the button (Escape); not for a press elsewhere, which took it there. */
  close(refocus = true): void {
    if (!this.isOpen) return;
    this.#toggle.setAttribute("aria-expanded", "false");
    this.#panel.classList.remove("is-open");
    if (refocus) this.#toggle.focus();
  }

  /** The actions shown now, in order. */
  #actions(): HTMLElement[] {
    return [...this.#panel.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => element.getClientRects().length > 0);
  }

  #key(event: KeyboardEvent): void {
    if (!this.isOpen) return;
    if (event.key === "Escape") {
      event.preventDefault();
      this.close();
      return;
    }
    const moves: Record<string, (index: number, count: number) => number> = {
      ArrowDown: (index, count) => (index + 1) % count,
      ArrowUp: (index, count) => (index - 1 + count) % count,
      Home: () => 0,
      End: (_index, count) => count - 1,
    };
    const move = moves[event.key];
    if (!move) return;
    const actions = this.#actions();
    if (actions.length === 0) return;
    event.preventDefault();
    const index = actions.indexOf(document.activeElement as HTMLElement);
    actions[move(Math.max(index, 0), actions.length)]?.focus();
  }
}
