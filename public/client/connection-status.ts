/**
 * The header's connection indicator (a polite status region): "Connected",
 * or while the connection is down "Offline", with the writes waiting for it
 * ("Offline · 3 waiting"), which the page keeps and sends once it is back.
 */

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "offline";

const LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  // Socket.IO keeps trying by itself: the title says so; the label says what matters to the player.
  reconnecting: "Offline",
  offline: "Offline",
};

/** "Offline · 1 waiting"; once connected, nothing: what waits is on its way. */
export function connectionLabel(state: ConnectionState, waiting: number): string {
  return state === "connected" || waiting === 0 ? LABELS[state] : `${LABELS[state]} · ${waiting} waiting`;
}

export class ConnectionStatus {
  readonly #element: HTMLElement;
  readonly #label: HTMLElement;
  #state: ConnectionState = "connecting";
  #waiting = 0;

  constructor(element: HTMLElement, label: HTMLElement) {
    this.#element = element;
    this.#label = label;
    this.set("connecting");
  }

  set(state: ConnectionState, detail?: string): void {
    this.#state = state;
    this.#element.dataset.state = state;
    this.#element.title = detail ?? LABELS[state];
    document.body.dataset.connection = state;
    this.#render();
  }

  /** How many of this page's writes wait to be sent. */
  setWaiting(count: number): void {
    this.#waiting = count;
    this.#render();
  }

  #render(): void {
    const label = connectionLabel(this.#state, this.#waiting);
    // Unchanged text is not written again: a status region may read it out again.
    if (this.#label.textContent !== label) this.#label.textContent = label;
  }
}
