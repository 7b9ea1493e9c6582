/**
 * The players other nodes have, per board, as each node last said: a node
 * sends its whole roster now and then (a heartbeat) and a board's list
 * whenever it changes. A node not heard from for `timeoutMs` is taken to be
 * gone (killed, cut off), and its players with it.
 */
export interface RosterMessage {
  node: string;
  /** Board → that node's players there. */
  boards: Record<string, readonly string[]>;
  /** The node's whole roster: boards left out have no players there any more. */
  full: boolean;
}

interface NodeRoster {
  seen: number;
  boards: Map<string, readonly string[]>;
}

export class RemotePlayers {
  readonly #timeoutMs: number;
  readonly #nodes = new Map<string, NodeRoster>();

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Takes in a node's message; returns the boards whose players changed, and whether the node was new. */
  update(message: RosterMessage, now: number): { changed: string[]; newNode: boolean } {
    let roster = this.#nodes.get(message.node);
    const newNode = roster === undefined;
    if (roster === undefined) {
      roster = { seen: now, boards: new Map() };
      this.#nodes.set(message.node, roster);
    }
    roster.seen = now;
    const changed: string[] = [];
    if (message.full) {
      for (const board of roster.boards.keys()) {
        if (!Object.hasOwn(message.boards, board)) {
          roster.boards.delete(board);
          changed.push(board);
        }
      }
    }
    for (const [board, players] of Object.entries(message.boards)) {
      const before = roster.boards.get(board) ?? [];
      if (sameList(before, players)) continue;
      if (players.length === 0) roster.boards.delete(board);
      else roster.boards.set(board, [...players]);
      changed.push(board);
    }
    return { changed, newNode };
  }

  /** Forgets the nodes not heard from in time; returns the boards whose players changed. */
  expire(now: number): string[] {
    const changed: string[] = [];
    for (const [node, roster] of this.#nodes) {
      if (now - roster.seen <= this.#timeoutMs) continue;
      this.#nodes.delete(node);
      changed.push(...roster.boards.keys());
    }
    return changed;
  }

  /** Each other node's players on the board, with the node's id. */
  on(board: string): [node: string, players: readonly string[]][] {
    const lists: [string, readonly string[]][] = [];
    for (const [node, roster] of this.#nodes) {
      const players = roster.boards.get(board);
      if (players) lists.push([node, players]);
    }
    return lists;
  }
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, i) => value === b[i]);
