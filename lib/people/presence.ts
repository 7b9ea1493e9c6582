/**
 * Who is connected to which board on this node. Keyed by socket id, as in
 * the lesson, and indexed by board, so that a board's people cost what that
 * board holds, never what the whole server holds. A socket counts as a
 * player only once it has registered its initials. What other nodes have is
 * the live state's business (`live-state/`), which builds on this.
 *
 * These are the rules for one node's people, not what `io.ts` calls
 * `presence`: that is the `LiveState` (`lib/live-state/live-state.ts`),
 * which holds one of these and merges in the other nodes' people. The lists
 * go out from `socket/relay/fanout.ts` (`update-player-list`, `board-people`) and,
 * to a socket joining, from `socket/joins.ts`.
 */
import { randomBytes } from "node:crypto";
import { pickColour } from "./player-colours.js";

/** One socket on a board. `joinedAt` and `order` put every node's people in one arrival order. */
export interface Person {
  node: string;
  socket: string;
  /** What others know it by: the socket id stays private. */
  id: string;
  /** null until it registers: a watcher. */
  initials: string | null;
  /** Chosen by the server when it registers, and kept while it stays. */
  colour: string | null;
  joinedAt: number;
  /** Breaks ties between sockets of one node that joined in the same millisecond. */
  order: number;
  /** The hash of its player key, for the host's removal; never sent to clients. null: it has none. */
  owner: string | null;
}

interface BoardMembers {
  /** Socket id → person, in arrival order. */
  members: Map<string, Person>;
  players: number;
  /** The player list, built once per change and shared by every reader. */
  list: string[] | undefined;
}

export class Presence {
  readonly node: string;
  private readonly boardOf = new Map<string, string>();
  private readonly byBoard = new Map<string, BoardMembers>();
  private playersTotal = 0;
  private joins = 0;
  private readonly now: () => number;

  constructor(node = "local", now: () => number = Date.now) {
    this.node = node;
    this.now = now;
  }

  /** A socket arrived on a board, with its player key's hash; it is not a player until it registers. */
  join(socketId: string, board: string, owner: string | null = null): void {
    this.leave(socketId);
    let entry = this.byBoard.get(board);
    if (!entry) {
      entry = { members: new Map(), players: 0, list: [] };
      this.byBoard.set(board, entry);
    }
    const id = randomBytes(6).toString("base64url");
    entry.members.set(socketId, {
      node: this.node,
      socket: socketId,
      id,
      initials: null,
      colour: null,
      joinedAt: this.now(),
      order: this.joins++,
      owner,
    });
    this.boardOf.set(socketId, board);
  }

  /**
   * Set or change a socket's initials; true when its board's player list
   * changed. `colour` picks its colour at its first registration (by
   * default, the least used among this node's players of the board).
   */
  register(socketId: string, initials: string, colour?: () => string): boolean {
    const entry = this.entryOf(socketId);
    const person = entry?.members.get(socketId);
    if (!entry || !person || person.initials === initials) return false;
    if (person.initials === null) {
      entry.players++;
      this.playersTotal++;
    }
    person.colour ??= colour ? colour() : pickColour([...entry.members.values()].map((member) => member.colour));
    person.initials = initials;
    entry.list = undefined;
    return true;
  }

  /** A registered socket's initials; undefined until it registers. */
  initialsOf(socketId: string): string | undefined {
    return this.entryOf(socketId)?.members.get(socketId)?.initials ?? undefined;
  }

  /** The board a socket is on. */
  boardOfSocket(socketId: string): string | undefined {
    return this.boardOf.get(socketId);
  }

  /** Forget a socket; true when its board's player list changed. */
  leave(socketId: string): boolean {
    const board = this.boardOf.get(socketId);
    const entry = board === undefined ? undefined : this.byBoard.get(board);
    if (board === undefined || !entry) return false;
    const initials = entry.members.get(socketId)?.initials;
    entry.members.delete(socketId);
    this.boardOf.delete(socketId);
    if (entry.members.size === 0) this.byBoard.delete(board);
    if (!initials) return false;
    entry.players--;
    this.playersTotal--;
    entry.list = undefined;
    return true;
  }

  /** The board's players' initials, in the order they arrived; shared, so callers must not modify it. */
  players(board: string): readonly string[] {
    const entry = this.byBoard.get(board);
    if (!entry) return [];
    if (!entry.list) {
      const list: string[] = [];
      for (const person of entry.members.values()) if (person.initials) list.push(person.initials);
      entry.list = list;
    }
    return entry.list;
  }

  /** Everyone on the board, players and watchers, in arrival order. */
  people(board: string): Iterable<Person> {
    return this.byBoard.get(board)?.members.values() ?? [];
  }

  /** The socket's entry, if it is on a board. */
  person(socketId: string): Person | undefined {
    return this.entryOf(socketId)?.members.get(socketId);
  }

  /** Sockets connected to the board, players or not. */
  connectionsTo(board: string): number {
    return this.byBoard.get(board)?.members.size ?? 0;
  }

  /** Boards with at least one connected socket. */
  boards(): Set<string> {
    return new Set(this.byBoard.keys());
  }

  get connections(): number {
    return this.boardOf.size;
  }

  get playerCount(): number {
    return this.playersTotal;
  }

  private entryOf(socketId: string): BoardMembers | undefined {
    const board = this.boardOf.get(socketId);
    return board === undefined ? undefined : this.byBoard.get(board);
  }
}
