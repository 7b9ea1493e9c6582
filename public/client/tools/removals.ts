/**
 * The host removing players and letting them back: "Remove AB" on each other
 * player's chip (players-list.ts asks here), no questions asked, since a
 * teacher needs it fast and "Let AB back in" undoes it; and the list of the
 * removed, from the server's `removed-players`, each with "Let AB back in".
 * The server disconnects the removed player, takes their circles away and
 * keeps their key out; this only asks and lists.
 */
import type { Ack, PlayerDetails, RemovedPlayerDetails } from "../../../lib/protocol/events.js";
import { byId } from "../dom.js";

export interface RemovalsElements {
  /** Hidden while nobody is removed. */
  box: HTMLElement;
  list: HTMLUListElement;
}

export interface RemovalsOptions {
  remove: (id: string) => Promise<Ack<{ removed: number }>>;
  readmit: (id: string) => Promise<Ack>;
  onError: (message: string) => void;
  onInfo: (message: string) => void;
}

const isRemoved = (value: unknown): value is RemovedPlayerDetails =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as RemovedPlayerDetails).id === "string" &&
  typeof (value as RemovedPlayerDetails).initials === "string";

export class Removals {
  readonly #el: RemovalsElements;
  readonly #options: RemovalsOptions;

  /** On the page's list (views/board.ejs). */
  static onPage(options: RemovalsOptions): Removals {
    return new Removals({ box: byId("removed", HTMLElement), list: byId("removed-players", HTMLUListElement) }, options);
  }

  constructor(elements: RemovalsElements, options: RemovalsOptions) {
    this.#el = elements;
    this.#options = options;
    this.update([]);
  }

  /** The server's `removed-players`: the whole list, in the order removed. */
  update(players: unknown): void {
    const removed = Array.isArray(players) ? players.filter(isRemoved) : [];
    this.#el.list.replaceChildren(...removed.map((player) => this.#item(player)));
    this.#el.box.hidden = removed.length === 0;
  }

  async remove(player: PlayerDetails): Promise<void> {
    const ack = await this.#options.remove(player.id);
    if (!ack.ok) return this.#options.onError(`${player.initials} not removed: ${ack.error}`);
    this.#options.onInfo(`Removed ${player.initials}: "Let ${player.initials} back in" undoes it`);
  }

  #item(player: RemovedPlayerDetails): HTMLLIElement {
    const item = document.createElement("li");
    item.className = "removed-player";
    const name = document.createElement("span");
    name.textContent = player.initials; // never innerHTML: initials come from other people
    name.dir = "auto";
    const back = document.createElement("button");
    back.type = "button";
    back.className = "button button-quiet";
    back.textContent = `Let ${player.initials} back in`;
    back.addEventListener("click", async () => {
      if (back.getAttribute("aria-disabled") === "true") return;
      back.setAttribute("aria-disabled", "true");
      const ack = await this.#options.readmit(player.id);
      back.removeAttribute("aria-disabled");
      if (!ack.ok) return this.#options.onError(`${player.initials} not let back in: ${ack.error}`);
      this.#options.onInfo(`${player.initials} may come back`);
    });
    item.append(name, back);
    return item;
  }
}
