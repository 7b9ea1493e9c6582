/** The header's connection indicator. */

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "offline";

const LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

export class ConnectionStatus {
  readonly #element: HTMLElement;
  readonly #label: HTMLElement;
  #state: ConnectionState = "connecting";

  constructor(element: HTMLElement, label: HTMLElement) {
    this.#element = element;
    this.#label = label;
    this.set("connecting");
  }

  get state(): ConnectionState {
    return this.#state;
  }

  set(state: ConnectionState, detail?: string): void {
    this.#state = state;
    this.#element.dataset.state = state;
    this.#label.textContent = LABELS[state];
    this.#element.title = detail ?? LABELS[state];
    document.body.dataset.connection = state;
  }
}
