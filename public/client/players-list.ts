/** The footer's list of who is connected, one pill per player. */

const HUES = 8;

/** A stable colour slot per name, so a player keeps their dot colour. */
function hueSlot(name: string): number {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return hash % HUES;
}

export class PlayersList {
  readonly #list: HTMLUListElement;
  readonly #count: HTMLElement;
  readonly #empty: HTMLElement;
  #players: string[] = [];
  #self: string | null = null;

  constructor(list: HTMLUListElement, count: HTMLElement, empty: HTMLElement) {
    this.#list = list;
    this.#count = count;
    this.#empty = empty;
    this.#render();
  }

  get players(): string[] {
    return [...this.#players];
  }

  update(players: readonly unknown[]): void {
    this.#players = players.filter((p): p is string => typeof p === "string");
    this.#render();
  }

  /** Whose pill gets the "you" ring. */
  setSelf(initials: string | null): void {
    this.#self = initials;
    this.#render();
  }

  #render(): void {
    let selfMarked = false;
    const items = this.#players.map((name) => {
      const item = document.createElement("li");
      item.className = `player hue-${hueSlot(name)}`;
      item.textContent = name; // never innerHTML: names come from other people
      if (!selfMarked && name === this.#self) {
        selfMarked = true;
        item.classList.add("is-self");
        item.title = "You";
      }
      return item;
    });
    this.#list.replaceChildren(...items);
    this.#count.textContent = String(this.#players.length);
    this.#empty.hidden = this.#players.length > 0;
  }
}
