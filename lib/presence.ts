/**
 * Who is connected to which board. Keyed by socket id, as in the lesson, and
 * indexed by board, so that a board's player list costs what that board
 * holds, never what the whole server holds. A socket counts as a player only
 * once it has registered its initials.
 */
interface BoardMembers {
  /** Socket id → initials, or null until it registers; in arrival order. */
  members: Map<string, string | null>;
  players: number;
  /** The player list, built once per change and shared by every reader. */
  list: string[] | undefined;
}

export class Presence {
  private readonly boardOf = new Map<string, string>();
  private readonly byBoard = new Map<string, BoardMembers>();
  private playersTotal = 0;

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
    entry.list = undefined;
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
    entry.list = undefined;
    return true;
  }

  /** The board's players' initials, in the order they arrived; shared, so callers must not modify it. */
  players(board: string): readonly string[] {
    const entry = this.byBoard.get(board);
    if (!entry) return [];
    if (!entry.list) {
      const list: string[] = [];
      for (const initials of entry.members.values()) if (initials) list.push(initials);
      entry.list = list;
    }
    return entry.list;
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
