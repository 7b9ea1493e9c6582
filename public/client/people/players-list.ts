/**
 * Who is here, in the footer: "3 here · 2 playing", and a chip per player
 * in the colour the server gave them, so two players with the same initials
 * can be told apart. Watchers (a projector, a tab without initials) count
 * as here without a chip.
 */
import type { BoardPeople, PlayerDetails } from "../../../lib/protocol/events.js";

export interface PlayersElements {
  list: HTMLUListElement;
  here: HTMLElement;
  playing: HTMLElement;
  empty: HTMLElement;
}

export class PlayersList {
  readonly #elements: PlayersElements;
  #players: readonly PlayerDetails[] = [];
  #here = 0;
  #self: string | null = null;

  constructor(elements: PlayersElements) {
    this.#elements = elements;
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
      }
      return item;
    });
    const { list, here, playing, empty } = this.#elements;
    list.replaceChildren(...items);
    here.textContent = String(this.#here);
    playing.textContent = String(this.#players.length);
    empty.hidden = this.#players.length > 0;
  }
}
