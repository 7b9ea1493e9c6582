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

/**
 * What a client sends to draw, with the id it made for the circle: the same
 * id sent again (a retry after a lost answer) is answered as the first was,
 * and stores nothing. Without one (the lesson's clients) the server makes it.
 */
export interface CircleRequest extends CircleInput {
  id?: string;
}

/** A circle as the server relays and stores it. */
export interface Circle extends CircleInput {
  id: string;
  createdAt: number;
}

/**
 * A circle as the store keeps it and nodes announce it to each other: with
 * its owner, a hash of its player's key (`lib/player-keys.ts`), when a
 * player with a key drew it. Never sent to clients (`LiveBoard` drops it).
 */
export interface StoredCircle extends Circle {
  owner?: string;
}

/**
 * Why a request was refused, for programs (`error` is for people). Only
 * `rate-limited` and `unavailable` mean "not now": the same request, sent
 * again later, may succeed; the others refuse the request itself.
 * - `invalid`: the payload is malformed, or the event unknown;
 * - `refused`: the board's rules refuse it (drawing paused, locked, not yours, gone...);
 * - `conflict`: its id (or operation id) was used before for a different write;
 * - `rate-limited`: too many requests: wait a little;
 * - `unavailable`: the store cannot be reached, the server is restarting, the board is loading;
 * - `internal`: the server failed (a bug), and logged it.
 */
export type ErrorCode = "invalid" | "refused" | "conflict" | "rate-limited" | "unavailable" | "internal";

/** A refusal as every acknowledgement and REST error body says it. */
export interface Refusal {
  ok: false;
  error: string;
  code: ErrorCode;
}

/** Every acknowledgement: success with its data, or a message saying what was wrong and a code saying which kind. */
export type Ack<T extends object = object> = ({ ok: true } & T) | Refusal;

/**
 * A client-made id of a write other than an add (`op`): 8–64 of A–Z a–z 0–9
 * _ - (a UUID fits). The same `op` sent again on the board changes nothing
 * and is answered as the first was (see OPERATION_MEMORY_MS in `rules.ts`).
 */
export interface WithOperation {
  op?: string;
}

export type AckCallback<T extends object = object> = (response: Ack<T>) => void;

/**
 * One stored change of a board. Every change a board accepts takes the next
 * number of that board's sequence, assigned by the store with the write, so
 * `seq` orders a board's changes without relying on when they arrived.
 */
export type BoardEvent = { seq: number; type: "add"; circle: Circle } | { seq: number; type: "remove"; id: string } | { seq: number; type: "clear" };

/** A change as the store returns it and nodes announce it: an add carries its circle's owner. */
export type StoredEvent = Exclude<BoardEvent, { type: "add" }> | { seq: number; type: "add"; circle: StoredCircle };

/** The host of a board, as the server keeps it: a hash of the host's key, and whether only the host may clear. */
export interface BoardHost {
  hash: string;
  locked: boolean;
}

/** Who may do a thing on a board: anyone, or only its host. */
export type Audience = "everyone" | "host";

/** What the host decides, as the store keeps it: who may draw and who may chat. */
export interface RoomRules {
  draw: Audience;
  chat: Audience;
}

/** `protocol=2` clients: the board's whole rules; `clear` is the host's lock (`lock-board`) said the same way. */
export interface BoardRules extends RoomRules {
  clear: Audience;
  /** Whether the board has a host: a board with none, never drawn on or cleared, can be claimed (`claim-board`). */
  hosted: boolean;
  /** Sent on joining and when it changes (a claim): whether this socket has the host's powers; absent, unchanged. */
  host?: boolean;
}

/** A player the host removed, as the host's page lists them: their public id when removed, and initials. */
export interface RemovedPlayerDetails {
  id: string;
  initials: string;
}

/** A removed player as the server keeps them: with the hash of their player key, which stays out (never sent to clients). */
export interface RemovedPlayer extends RemovedPlayerDetails {
  owner: string;
}

/**
 * What a board's nodes hear besides its changes, and pass on to their
 * sockets: who just cleared it (and for how long it can be undone), its
 * host settings, its rules, a player removed or let back, the board deleted
 * (`BoardService`).
 */
export type BoardNotice =
  | { type: "cleared"; seq: number; by: string | null; undoMs: number }
  | { type: "host"; host: BoardHost }
  | { type: "rules"; rules: RoomRules }
  | { type: "removed"; player: RemovedPlayer }
  | { type: "readmitted"; id: string }
  | { type: "deleted"; expired?: true };

/** `protocol=2` clients: the board was just cleared by `by` (registered initials; null for someone unregistered). */
export interface BoardCleared {
  /** The clear's seq, which `undo-clear` names. */
  seq: number;
  by: string | null;
  /** How long from now `undo-clear` may bring the circles back. */
  undoMs: number;
}

/** `protocol=2` clients: whether only the board's host may clear it. */
export interface BoardLock {
  locked: boolean;
  /** Sent on joining only: whether this socket is the host (its handshake's host key is the board's). */
  host?: boolean;
}

export interface BoardSnapshot {
  board: string;
  /** The last change this snapshot reflects; 0 for a board that never changed. */
  seq: number;
  circles: Circle[];
}

/** What a `protocol=2` client receives instead of one message per change: a tick's changes, in seq order. */
export interface BoardEvents {
  events: BoardEvent[];
}

/** A chat message as every socket of the board receives it: right-now's `{user, text}` and what circles adds. */
export interface ChatMessage {
  user: string;
  text: string;
  /** When the server took it, in ms since the epoch. */
  time: number;
  /** The sender's colour (see `player-colours.ts`); the bot's for its own. */
  colour: string;
  /** Set on what the board's bot says: welcomes, joins, leaves. */
  bot?: true;
}

/** What a right-now client sends: `user` names an unregistered sender; a registered one is named by its initials. */
export interface ChatInput extends WithOperation {
  user?: string;
  text: string;
}

/** A player as every client of the board sees it. */
export interface PlayerDetails {
  /** Public: not the socket id. */
  id: string;
  initials: string;
  colour: string;
}

/** Who is on the board, on every node: everyone connected (`here`), and the players among them. */
export interface BoardPeople {
  here: number;
  players: readonly PlayerDetails[];
}

/** A player's pointer on the board, in board coordinates. */
export interface CursorPosition {
  x: number;
  y: number;
}

/** A tick's pointer moves on a board: the last position of each player who moved. */
export interface CursorMoves {
  cursors: (CursorPosition & { id: string })[];
}

/** The answer to `sync-board`: what was missed, when that is cheaper than the whole board. */
export type BoardSync = { events: BoardEvent[] } | { snapshot: BoardSnapshot };

export interface ClientToServerEvents {
  "register-player": (initials: string, ack?: AckCallback<{ initials: string; id: string; colour: string }>) => void;
  "add-circle": (circle: CircleRequest, ack?: AckCallback<{ circle: Circle; seq: number }>) => void;
  /** The lesson's clients send nothing but the acknowledgement; `{op}` makes a retry safe. */
  "clear-circles": (...args: [AckCallback<{ seq: number }>?] | [WithOperation, AckCallback<{ seq: number }>?]) => void;
  /** The lesson's finished client says `clear-display`; kept as an alias. */
  "clear-display": (...args: [AckCallback<{ seq: number }>?] | [WithOperation, AckCallback<{ seq: number }>?]) => void;
  /** A `protocol=2` client that saw a gap in seq asks for what it missed since the last seq it applied. */
  "sync-board": (since: number, ack?: AckCallback<BoardSync>) => void;
  /**
   * Chat, as right-now speaks it: `emit("message", {user, text}, ack?)`, or
   * `send("message", {user, text})`, which arrives as `"message", {user, text}`.
   */
  message: (...args: [ChatInput, AckCallback?] | ["message", ChatInput, AckCallback?]) => void;
  /** Sent volatile, about 30 a second at most; players only. */
  cursor: (position: CursorPosition, ack?: AckCallback) => void;
  /**
   * Remove the newest circle of this player (the handshake's player key),
   * or the one `id` names, if it is theirs; acknowledged with the removal's seq.
   */
  "undo-circle": (which: { id?: string } & WithOperation, ack?: AckCallback<{ seq: number; id: string }>) => void;
  /** Bring back what the clear of this seq removed, within `undoMs` of it; acknowledged with the seq of the last circle back. */
  "undo-clear": (which: number | ({ seq: number } & WithOperation), ack?: AckCallback<{ seq: number }>) => void;
  /**
   * Become the host of a board nobody has used yet (nothing drawn or cleared), with the handshake's
   * host key or the one given here, which then becomes this socket's.
   */
  "claim-board": (
    ...args: [AckCallback<{ rules: BoardRules }>?] | [{ hostKey?: string } & WithOperation, AckCallback<{ rules: BoardRules }>?]
  ) => void;
  /** The host only: let only the host clear (true), or anyone again (false). */
  "lock-board": (locked: boolean | ({ locked: boolean } & WithOperation), ack?: AckCallback<{ locked: boolean }>) => void;
  /** The host only: who may draw and who may chat; acknowledged with the board's whole rules. */
  "set-rules": (rules: Partial<RoomRules> & WithOperation, ack?: AckCallback<{ rules: BoardRules }>) => void;
  /** The host only: disconnect the player with this public id everywhere, remove their circles, keep their key out. */
  "remove-player": (which: { id: string } & WithOperation, ack?: AckCallback<{ removed: number }>) => void;
  /** The host only: let a removed player (their id in `removed-players`) back in. */
  "readmit-player": (which: { id: string } & WithOperation, ack?: AckCallback) => void;
  /** The host only: delete the board and everything of it; every socket of it is told and disconnected. */
  "delete-board": (...args: [AckCallback?] | [WithOperation, AckCallback?]) => void;
}

export interface ServerToClientEvents {
  "board-snapshot": (snapshot: BoardSnapshot) => void;
  /** `protocol=2` clients only: one message per board per tick, in place of the four below. */
  "board-events": (batch: BoardEvents) => void;
  "update-player-list": (players: readonly string[]) => void;
  /** `protocol=2` clients: who is here, when it changes (at most once per tick) and on joining. */
  "board-people": (people: BoardPeople) => void;
  message: (message: ChatMessage) => void;
  /** `protocol=2` clients, on joining: the board's recent chat, oldest first (lesson clients get each as a `message`). */
  "chat-history": (messages: ChatMessage[]) => void;
  /** `protocol=2` clients, volatile: other players' pointers, once per tick per board. */
  cursors: (moves: CursorMoves) => void;
  /** `protocol=2` clients, as it happens: who cleared the board, so that it can be undone. */
  "board-cleared": (cleared: BoardCleared) => void;
  /** `protocol=2` clients: whether the board is locked, on joining and whenever it changes. */
  "board-lock": (lock: BoardLock) => void;
  /** `protocol=2` clients: the board's rules, on joining and whenever they change. */
  "board-rules": (rules: BoardRules) => void;
  /** `protocol=2` sockets with the host's powers: the players removed from the board, on joining and whenever it changes. */
  "removed-players": (players: RemovedPlayerDetails[]) => void;
  /** Every socket of a removed player, just before it is disconnected: why. */
  "player-removed": (notice: { reason: string }) => void;
  /** Every socket of a deleted board, just before it is disconnected. */
  "board-deleted": (notice: { board: string; reason: string }) => void;
  "add-circle": (circle: Circle) => void;
  "remove-circle": (removed: { id: string }) => void;
  "clear-circles": () => void;
  "clear-display": () => void;
}

/** Between nodes, through the Socket.IO adapter (Redis): each node announces the changes its own writes stored. */
export interface InterServerEvents {
  "board-changes": (changes: { board: string; events: StoredEvent[] }) => void;
  "board-notice": (notice: { board: string; notice: BoardNotice }) => void;
  /** A node is back from a Redis outage: what it announced meanwhile may be lost, so every node reads its boards again. */
  "catch-up": () => void;
}

/** 1: the lesson's events, one message per change. 2: `board-events`, one message per tick. */
export type Protocol = 1 | 2;

/** What the server remembers on each socket. */
export interface SocketData {
  board: string;
  protocol: Protocol;
  /** The last seq a `protocol=2` client says it applied before this connection. */
  since: number | undefined;
  /** The client's address, seen through the trusted proxies. */
  address: string;
  /** The hash of the handshake's player key (`auth.playerKey`): whose circles this socket may undo. */
  owner: string | undefined;
  /** The hash of the handshake's host key (`auth.hostKey`) for this board. */
  host: string | undefined;
  /** The handshake's `auth.adminKey` is the operator's ADMIN_KEY: the host's powers on every board. */
  admin: boolean;
  /** Set when the host removed this socket's player or deleted its board: why; it is about to be disconnected. */
  leaving?: string;
}
