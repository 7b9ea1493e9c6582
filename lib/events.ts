/**
 * The wire protocol, typed once and imported by the server (`io.ts`) and the
 * browser client alike. Event names are the lesson's and must not change.
 */

/** What a client sends to draw a circle; the server validates every field. */
export interface CircleInput {
  initials: string;
  x: number;
  y: number;
  dia: number;
  rgba: string;
}

/** A circle as the server relays and stores it. */
export interface Circle extends CircleInput {
  id: string;
  createdAt: number;
}

/** Every acknowledgement: success with its data, or a message saying what was wrong. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string };

export type AckCallback<T extends object = object> = (response: Ack<T>) => void;

export interface BoardSnapshot {
  board: string;
  circles: Circle[];
}

export interface ClientToServerEvents {
  "register-player": (initials: string, ack?: AckCallback<{ initials: string }>) => void;
  "add-circle": (circle: CircleInput, ack?: AckCallback<{ circle: Circle }>) => void;
  "clear-circles": (ack?: AckCallback) => void;
  /** The lesson's finished client says `clear-display`; kept as an alias. */
  "clear-display": (ack?: AckCallback) => void;
}

export interface ServerToClientEvents {
  "board-snapshot": (snapshot: BoardSnapshot) => void;
  "update-player-list": (players: string[]) => void;
  "add-circle": (circle: Circle) => void;
  "remove-circle": (removed: { id: string }) => void;
  "clear-circles": () => void;
  "clear-display": () => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- one process serves every board, so servers exchange nothing
export interface InterServerEvents {}

/** What the server remembers on each socket. */
export interface SocketData {
  board: string;
  /** The client's address, seen through the trusted proxies. */
  address: string;
}
