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

  constructor(element: HTMLElement, label: HTMLElement) {
    this.#element = element;
    this.#label = label;
    this.set("connecting");
  }

  set(state: ConnectionState, detail?: string): void {
    this.#element.dataset.state = state;
    this.#label.textContent = LABELS[state];
    this.#element.title = detail ?? LABELS[state];
    document.body.dataset.connection = state;
  }
}
