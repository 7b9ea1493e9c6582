/**
 * Who is connected to which board. Keyed by socket id, as in the lesson; a
 * socket counts as a player only once it has registered its initials.
 */
interface Member {
  board: string;
  initials: string | null;
}

export class Presence {
  private readonly members = new Map<string, Member>();

  /** A socket arrived on a board; it is not a player until it registers. */
  join(socketId: string, board: string): void {
    this.members.set(socketId, { board, initials: null });
  }

  /** Set or change a socket's initials; true when its board's player list changed. */
  register(socketId: string, initials: string): boolean {
    const member = this.members.get(socketId);
    if (!member || member.initials === initials) return false;
    member.initials = initials;
    return true;
  }

  /** A registered socket's initials; undefined until it registers. */
  initialsOf(socketId: string): string | undefined {
    return this.members.get(socketId)?.initials ?? undefined;
  }

  /** Forget a socket; true when its board's player list changed. */
  leave(socketId: string): boolean {
    const member = this.members.get(socketId);
    this.members.delete(socketId);
    return Boolean(member?.initials);
  }

  /** The board's players' initials, in the order they arrived. */
  players(board: string): string[] {
    const list: string[] = [];
    for (const member of this.members.values()) {
      if (member.board === board && member.initials) list.push(member.initials);
    }
    return list;
  }

  /** Boards with at least one connected socket. */
  boards(): Set<string> {
    return new Set(Array.from(this.members.values(), (m) => m.board));
  }

  get connections(): number {
    return this.members.size;
  }

  get playerCount(): number {
    let count = 0;
    for (const member of this.members.values()) if (member.initials) count++;
    return count;
  }
}
