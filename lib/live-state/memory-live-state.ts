/**
 * The live state of a single node: everything in the process. Several
 * nodes in one process can share one `LiveHub` (the contract suite runs
 * both implementations as two nodes); a server alone makes its own.
 */
import { byArrival, MergedLiveState } from "./live-state.js";

/** The nodes of one process that share their boards' people. */
export class LiveHub {
  readonly nodes = new Set<MemoryLiveState>();

  /** Tells every node but `from` that `from`'s people on `board` changed. */
  changed(from: MemoryLiveState, board: string): void {
    for (const node of this.nodes) if (node !== from) node.refresh(board);
  }
}

export class MemoryLiveState extends MergedLiveState {
  private readonly hub: LiveHub;

  constructor({ node = "local", hub = new LiveHub(), now }: { node?: string; hub?: LiveHub; now?: () => number } = {}) {
    super(node, now);
    this.hub = hub;
    hub.nodes.add(this);
    for (const other of hub.nodes) for (const board of other.boards()) this.refresh(board);
  }

  /** Reads the other nodes' people on `board` afresh. */
  refresh(board: string): void {
    const others = [...this.hub.nodes].filter((node) => node !== this).flatMap((node) => [...node.local.people(board)]);
    this.setRemote(board, others.map((person) => ({ ...person })).sort(byArrival));
  }

  protected localChanged(board: string): void {
    this.hub.changed(this, board);
  }

  close(): Promise<void> {
    const boards = this.boards();
    this.hub.nodes.delete(this);
    for (const board of boards) this.hub.changed(this, board);
    return Promise.resolve();
  }
}
