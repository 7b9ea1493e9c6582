/**
 * The live state of a single node: everything in the process. Several
 * nodes in one process can share one `LiveHub` (the contract suite runs
 * both implementations as two nodes); a server alone makes its own.
 */
import type { ChatMessage } from "../protocol/events.js";
import { byArrival, CHAT_HISTORY, CHAT_OPERATION_MS, MergedLiveState } from "./live-state.js";

/** Boards whose chat is kept; past this, the board chatted on longest ago forgets its chat. */
const BOARDS_WITH_CHAT = 1_000;
/** Chat messages' names kept at most, so that a flood of them cannot fill the process; the oldest go first. */
const CHAT_OPERATIONS_KEPT = 100_000;

/** The nodes of one process that share their boards' people and chat. */
export class LiveHub {
  readonly nodes = new Set<MemoryLiveState>();
  /** Board → its recent messages; in the order the boards were last chatted on. */
  readonly chat = new Map<string, ChatMessage[]>();
  /** Board and op of each named message → until when it is remembered; oldest first. */
  readonly chatOperations = new Map<string, number>();

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

  remember(board: string, message: ChatMessage, op?: string): Promise<boolean> {
    const { chat, chatOperations } = this.hub;
    if (op !== undefined) {
      const now = Date.now();
      for (const [name, until] of chatOperations) {
        if (until >= now && chatOperations.size < CHAT_OPERATIONS_KEPT) break;
        chatOperations.delete(name);
      }
      const name = `${board}\n${op}`;
      if (chatOperations.has(name)) return Promise.resolve(false);
      chatOperations.set(name, now + CHAT_OPERATION_MS);
    }
    const messages = chat.get(board) ?? [];
    chat.delete(board);
    chat.set(board, [...messages.slice(-(CHAT_HISTORY - 1)), message]);
    if (chat.size > BOARDS_WITH_CHAT) chat.delete(chat.keys().next().value as string);
    return Promise.resolve(true);
  }

  recentMessages(board: string): Promise<ChatMessage[]> {
    return Promise.resolve([...(this.hub.chat.get(board) ?? [])]);
  }

  forgetChat(board: string): Promise<void> {
    this.hub.chat.delete(board);
    return Promise.resolve();
  }

  close(): Promise<void> {
    const boards = this.boards();
    this.hub.nodes.delete(this);
    for (const board of boards) this.hub.changed(this, board);
    return Promise.resolve();
  }
}
