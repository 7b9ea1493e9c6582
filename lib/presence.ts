/**
 * Who is connected to which board. Keyed by socket id, as in the lesson, and
 * indexed by board, so that a board's player list costs what that board
 * holds, never what the whole server holds. A socket counts as a player only
 * once it has registered its initials. With several nodes, a board's player
 * list also holds the other nodes' players (`RemotePlayers`), node by node
 * in the order of their ids, so that every node lists them alike.
 */
import { RemotePlayers, type RosterMessage } from "./remote-players.js";

/** A node not heard from for this long has gone, with its players: nodes say who they have every 3 s. */
export const NODE_TIMEOUT_MS = 10_000;
interface BoardMembers {
  /** Socket id → initials, or null until it registers; in arrival order. */
  members: Map<string, string | null>;
  players: number;
  /** The player list, built once per change and shared by every reader. */
  list: string[] | undefined;
}

export class Presence {
  /** This node's id among the nodes sharing boards. */
  readonly node: string;
  private readonly boardOf = new Map<string, string>();
  private readonly byBoard = new Map<string, BoardMembers>();
  private playersTotal = 0;
  private readonly remote = new RemotePlayers(NODE_TIMEOUT_MS);
  /** Boards with other nodes' players: this node's and theirs, built once per change. */
  private readonly merged = new Map<string, readonly string[]>();

  constructor(node = "local") {
    this.node = node;
  }

  /** A socket arrived on a board; it is not a player until it registers. */
  join(socketId: string, board: string): void {
    this.leave(socketId);
    let entry = this.byBoard.get(board);
    if (!entry) {
      entry = { members: new Map(), players: 0, list: [] };
      this.byBoard.set(board, entry);
    }
    entry.members.set(socketId, null);
    this.boardOf.set(socketId, board);
  }

  /** Set or change a socket's initials; true when its board's player list changed. */
  register(socketId: string, initials: string): boolean {
    const entry = this.entryOf(socketId);
    const before = entry?.members.get(socketId);
    if (!entry || before === undefined || before === initials) return false;
    if (before === null) {
      entry.players++;
      this.playersTotal++;
    }
    entry.members.set(socketId, initials);
    this.changed(entry, this.boardOf.get(socketId));
    return true;
  }

  /** A registered socket's initials; undefined until it registers. */
  initialsOf(socketId: string): string | undefined {
    return this.entryOf(socketId)?.members.get(socketId) ?? undefined;
  }

  /** Forget a socket; true when its board's player list changed. */
  leave(socketId: string): boolean {
    const board = this.boardOf.get(socketId);
    const entry = board === undefined ? undefined : this.byBoard.get(board);
    if (board === undefined || !entry) return false;
    const initials = entry.members.get(socketId);
    entry.members.delete(socketId);
    this.boardOf.delete(socketId);
    if (entry.members.size === 0) this.byBoard.delete(board);
    if (!initials) return false;
    entry.players--;
    this.playersTotal--;
    this.changed(entry, board);
    return true;
  }

  /** The board's players' initials, in the order they arrived (by node, with several); shared, so callers must not modify it. */
  players(board: string): readonly string[] {
    const others = this.remote.on(board);
    if (others.length === 0) return this.localPlayers(board);
    let list = this.merged.get(board);
    if (!list) {
      const lists: [string, readonly string[]][] = [[this.node, this.localPlayers(board)], ...others];
      list = lists.sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([, players]) => players);
      this.merged.set(board, list);
    }
    return list;
  }

  /** This node's players on the board, what it tells the other nodes. */
  localPlayers(board: string): readonly string[] {
    const entry = this.byBoard.get(board);
    if (!entry) return [];
    if (!entry.list) {
      const list: string[] = [];
      for (const initials of entry.members.values()) if (initials) list.push(initials);
      entry.list = list;
    }
    return entry.list;
  }

  /** Every board where this node has players, with them: a heartbeat to the other nodes. */
  roster(): Record<string, readonly string[]> {
    const boards: Record<string, readonly string[]> = {};
    for (const [board, entry] of this.byBoard) if (entry.players > 0) boards[board] = this.localPlayers(board);
    return boards;
  }

  /** Another node said who it has; returns the boards whose player lists changed, and whether it is new here. */
  updateRemote(message: RosterMessage, now: number): { changed: string[]; newNode: boolean } {
    const result = this.remote.update(message, now);
    for (const board of result.changed) this.merged.delete(board);
    return result;
  }

  /** Forgets the nodes gone silent; returns the boards whose player lists changed. */
  expireRemote(now: number): string[] {
    const changed = this.remote.expire(now);
    for (const board of changed) this.merged.delete(board);
    return changed;
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

  private changed(entry: BoardMembers, board: string | undefined): void {
    entry.list = undefined;
    if (board !== undefined) this.merged.delete(board);
  }

  private entryOf(socketId: string): BoardMembers | undefined {
    const board = this.boardOf.get(socketId);
    return board === undefined ? undefined : this.byBoard.get(board);
  }
}
