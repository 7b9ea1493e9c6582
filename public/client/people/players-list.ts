/**
 * Who is here, in the footer: "3 here · 2 playing", and a chip per player
 * in the colour the server gave them, so two players with the same initials
 * can be told apart. Watchers (a projector, a tab without initials) count
 * as here without a chip. The host sees "Remove AB" on every chip but its
 * own (removals.ts does the asking).
 */
import type { BoardPeople, PlayerDetails } from "../../../lib/protocol/events.js";

export interface PlayersElements {
  list: HTMLUListElement;
  here: HTMLElement;
  playing: HTMLElement;
  empty: HTMLElement;
}

export interface PlayersOptions {
  /** The host pressed "Remove AB" on that player's chip. */
  onRemove?: (player: PlayerDetails) => void;
}

export class PlayersList {
  readonly #elements: PlayersElements;
  readonly #options: PlayersOptions;
  #players: readonly PlayerDetails[] = [];
  #here = 0;
  #self: string | null = null;
  #host = false;

  constructor(elements: PlayersElements, options: PlayersOptions = {}) {
    this.#elements = elements;
    this.#options = options;
    this.#render();
  }

  get players(): PlayerDetails[] {
    return [...this.#players];
  }

  update(people: BoardPeople): void {
    this.#players = people.players;
    this.#here = people.here;
    this.#render();
  }

  /** This page's player id: its chip gets the "you" ring. */
  setSelf(id: string | null): void {
    this.#self = id;
    this.#render();
  }

  /** Whether this page is the host: only then do chips offer "Remove". */
  setHost(host: boolean): void {
    if (host === this.#host) return;
    this.#host = host;
    this.#render();
  }

  #render(): void {
    const items = this.#players.map((player) => {
      const item = document.createElement("li");
      item.className = "player";
      item.textContent = player.initials; // never innerHTML: initials come from other people
      item.dir = "auto";
      item.style.setProperty("--dot", player.colour);
      if (player.id === this.#self) {
        item.classList.add("is-self");
        item.title = "You";
      } else if (this.#host && this.#options.onRemove) {
        item.append(this.#removeButton(player));
      }
      return item;
    });
    const { list, here, playing, empty } = this.#elements;
    // The chips are made anew on every change: keep the keyboard on the "Remove" it was on.
    const focused = list.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.player : undefined;
    list.replaceChildren(...items);
    if (focused !== undefined) list.querySelector<HTMLElement>(`[data-player="${CSS.escape(focused)}"]`)?.focus();
    here.textContent = String(this.#here);
    playing.textContent = String(this.#players.length);
    empty.hidden = this.#players.length > 0;
  }

  /** A cross drawn by CSS, so the chip's text stays the initials; named for what it does. */
  #removeButton(player: PlayerDetails): HTMLButtonElement {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "player-remove";
    button.dataset.player = player.id;
    button.setAttribute("aria-label", `Remove ${player.initials}`);
    button.title = `Remove ${player.initials}`;
    button.addEventListener("click", () => this.#options.onRemove?.(player));
    return button;
  }
}
