/**
 * A board's live state: who is connected to it, players and watchers, on
 * every node, and its recent chat. The stores keep what lasts (circles);
 * this keeps what matters only while people are there. One node keeps it in the process
 * (`memory-live-state.ts`); several share it through Redis
 * (`redis-live-state.ts`), so that every node lists the same people. Both
 * pass one contract suite (`test/live-state-contract.ts`).
 *
 * Changes on this node are seen here at once (the caller announces them);
 * changes on other nodes arrive through `onRemoteChange`.
 *
 * This is what `io.ts` calls `presence`: the shared state. Who counts as a
 * player, and in what order one node's people arrived, are the rules of
 * `lib/people/presence.ts`, which this wraps. The player list it
 * holds is sent from `socket/relay/fanout.ts` (`update-player-list` to every
 * client, `board-people` to `protocol=2` ones) and, to a socket joining,
 * from `socket/joins.ts`.
 */
import type { BoardPeople, ChatMessage, PlayerDetails } from "../protocol/events.js";
import { pickColour } from "../people/player-colours.js";
import { Presence, type Person } from "../people/presence.js";

export type { Person } from "../people/presence.js";

export interface LiveState {
  /** This node's id among the nodes sharing boards. */
  readonly node: string;
  /** A socket arrived on a board, with its player key's hash (null: none); it is a watcher until it registers. */
  join(socketId: string, board: string, owner?: string | null): void;
  /** Set or change a socket's initials; true when its board's player list changed. */
  register(socketId: string, initials: string): boolean;
  /** Forget a socket; true when its board's player list changed. */
  leave(socketId: string): boolean;
  /** A socket of this node's initials; undefined until it registers. */
  initialsOf(socketId: string): string | undefined;
  /** A socket of this node as the board sees it; undefined until it registers. */
  playerOf(socketId: string): PlayerDetails | undefined;
  /** The board's players' initials on every node, in the order they arrived; shared, so callers must not modify it. */
  players(board: string): readonly string[];
  /** The board's players on every node, with what tells them apart, in the same order; shared too. */
  playerDetails(board: string): readonly PlayerDetails[];
  /** The player with this public id on the board, on any node, with their player key's hash: for the host's removal. */
  playerById(board: string, id: string): { initials: string; owner: string | null } | undefined;
  /** Everyone connected to the board on every node, players and watchers. */
  here(board: string): number;
  /**
   * Keeps a chat message in the board's history, of which the last
   * CHAT_HISTORY are kept. With `op`, the sender's name for it, a message
   * named so on the board within CHAT_OPERATION_MS is not kept again:
   * resolves with false then, true when kept.
   */
  remember(board: string, message: ChatMessage, op?: string): Promise<boolean>;
  /** The board's last CHAT_HISTORY chat messages, oldest first. */
  recentMessages(board: string): Promise<ChatMessage[]>;
  /** Forget the board's chat: it was deleted. */
  forgetChat(board: string): Promise<void>;
  /** `listener` runs when other nodes' people on a board changed. */
  onRemoteChange(listener: (board: string) => void): void;
  /** This node's own numbers, for metrics. */
  readonly connections: number;
  readonly playerCount: number;
  connectionsTo(board: string): number;
  boards(): Set<string>;
  /** A graceful stop: this node's people leave the other nodes' lists now, not after a timeout. */
  close(): Promise<void>;
}

/** Who is on the board, as `board-people` tells it: the player list is the live state's own, built once per change. */
export function boardPeople(state: Pick<LiveState, "here" | "playerDetails">, board: string): BoardPeople {
  return { here: state.here(board), players: state.playerDetails(board) };
}

/** How many chat messages a board keeps for those who join later. */
export const CHAT_HISTORY = 50;

/** How long a chat message's `op` is remembered: a page resends an unanswered message once it reconnects, well within this. */
export const CHAT_OPERATION_MS = 24 * 60 * 60 * 1000;

/** People in one order on every node: by arrival, then node, then order within the node. */
export function byArrival(a: Person, b: Person): number {
  if (a.joinedAt !== b.joinedAt) return a.joinedAt - b.joinedAt;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return a.order - b.order;
}

/**
 * What both implementations share: this node's people (`Presence`) and, per
 * board, the other nodes' people as last seen, merged into one list. How the
 * others' people are learnt, and how this node's are told, is the subclass's.
 */
export abstract class MergedLiveState implements LiveState {
  protected readonly local: Presence;
  private readonly remote = new Map<string, readonly Person[]>();
  private readonly merged = new Map<string, { players: readonly string[]; details: readonly PlayerDetails[] }>();
  private readonly listeners: ((board: string) => void)[] = [];

  constructor(node: string, now?: () => number) {
    this.local = new Presence(node, now);
  }

  get node(): string {
    return this.local.node;
  }

  /** This node's people on `board` changed (a join, a registration, a leave). */
  protected abstract localChanged(board: string): void;

  abstract close(): Promise<void>;
  abstract remember(board: string, message: ChatMessage, op?: string): Promise<boolean>;
  abstract recentMessages(board: string): Promise<ChatMessage[]>;
  abstract forgetChat(board: string): Promise<void>;

  join(socketId: string, board: string, owner: string | null = null): void {
    const before = this.local.boardOfSocket(socketId);
    this.local.join(socketId, board, owner);
    if (before !== undefined && before !== board) this.changedHere(before);
    this.changedHere(board);
  }

  register(socketId: string, initials: string): boolean {
    const board = this.local.boardOfSocket(socketId);
    // The least used colour among every node's players of the board.
    const colour = () => pickColour(board === undefined ? [] : this.everyone(board).map((person) => person.colour));
    const changed = this.local.register(socketId, initials, colour);
    if (changed && board !== undefined) this.changedHere(board);
    return changed;
  }

  leave(socketId: string): boolean {
    const board = this.local.boardOfSocket(socketId);
    const changed = this.local.leave(socketId);
    if (board !== undefined) this.changedHere(board);
    return changed;
  }

  initialsOf(socketId: string): string | undefined {
    return this.local.initialsOf(socketId);
  }

  playerOf(socketId: string): PlayerDetails | undefined {
    const person = this.local.person(socketId);
    if (!person?.initials) return undefined;
    return { id: person.id, initials: person.initials, colour: person.colour ?? "" };
  }

  players(board: string): readonly string[] {
    const others = this.remote.get(board);
    if (!others || others.length === 0) return this.local.players(board);
    return this.mergedOf(board).players;
  }

  playerDetails(board: string): readonly PlayerDetails[] {
    return this.mergedOf(board).details;
  }

  playerById(board: string, id: string): { initials: string; owner: string | null } | undefined {
    const person = this.everyone(board).find((someone) => someone.id === id && someone.initials !== null);
    return person && person.initials !== null ? { initials: person.initials, owner: person.owner } : undefined;
  }

  here(board: string): number {
    return this.local.connectionsTo(board) + (this.remote.get(board)?.length ?? 0);
  }

  onRemoteChange(listener: (board: string) => void): void {
    this.listeners.push(listener);
  }

  get connections(): number {
    return this.local.connections;
  }

  get playerCount(): number {
    return this.local.playerCount;
  }

  connectionsTo(board: string): number {
    return this.local.connectionsTo(board);
  }

  boards(): Set<string> {
    return this.local.boards();
  }

  /** The other nodes' people on the board, as last seen; tells the listeners when that changed. */
  protected setRemote(board: string, people: readonly Person[]): void {
    const before = this.remote.get(board) ?? [];
    if (samePeople(before, people)) return;
    if (people.length === 0) this.remote.delete(board);
    else this.remote.set(board, people);
    this.merged.delete(board);
    for (const listener of this.listeners) listener(board);
  }

  /** Boards where other nodes have people, as last seen. */
  protected remoteBoards(): IterableIterator<string> {
    return this.remote.keys();
  }

  /** Every node's people on the board, in arrival order. */
  private everyone(board: string): Person[] {
    return [...this.local.people(board), ...(this.remote.get(board) ?? [])].sort(byArrival);
  }

  private mergedOf(board: string) {
    let merged = this.merged.get(board);
    if (!merged) {
      const details: PlayerDetails[] = [];
      for (const { id, initials, colour } of this.everyone(board)) if (initials !== null) details.push({ id, initials, colour: colour ?? "" });
      merged = { players: details.map((player) => player.initials), details };
      this.merged.set(board, merged);
    }
    return merged;
  }

  private changedHere(board: string): void {
    this.merged.delete(board);
    this.localChanged(board);
  }
}

const samePerson = (a: Person, b: Person) =>
  a.node === b.node &&
  a.socket === b.socket &&
  a.id === b.id &&
  a.initials === b.initials &&
  a.colour === b.colour &&
  a.joinedAt === b.joinedAt &&
  a.order === b.order &&
  a.owner === b.owner;
const samePeople = (a: readonly Person[], b: readonly Person[]) =>
  a.length === b.length && a.every((person, i) => samePerson(person, b[i] as Person));
