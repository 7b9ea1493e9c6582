/**
 * Several nodes on one shared store: each announces the changes its own
 * writes stored to the others through the Socket.IO adapter (the Redis
 * Streams adapter, whose stream keeps them in order and resumes after a
 * Redis blip), and applies theirs to its live boards. Every node then relays
 * every change to its own sockets, as if it had stored it, so broadcasts
 * stay local (`io.local`): what crosses nodes is one message per write, not
 * one per socket.
 *
 * Players likewise: each node says who it has on a board when that changes
 * (at most once per tick) and its whole roster every HEARTBEAT_MS; a node
 * silent for NODE_TIMEOUT_MS (killed, cut off) loses its players everywhere.
 */
import type { BoardService } from "../lib/board-service.js";
import type { Logger } from "../lib/logger.js";
import type { Presence } from "../lib/presence.js";
import { parseBoardChanges, parseRosterMessage } from "../lib/schemas.js";
import { TickQueue } from "../lib/tick-queue.js";
import { TICK_MS, type Fanout } from "./fanout.js";
import type { CirclesServer } from "./types.js";

/** How often a node says who it has; well inside NODE_TIMEOUT_MS, so one lost heartbeat loses nobody. */
export const HEARTBEAT_MS = 3_000;
/** How often silent nodes are looked for: a killed node's players go within NODE_TIMEOUT_MS and this. */
const EXPIRY_CHECK_MS = 1_000;

export interface NodePlayers {
  /** This node's players on the board changed: tell the other nodes with the next tick. */
  changed(board: string): void;
  /** This node is stopping: tell the other nodes now that its players are gone, rather than let them wait NODE_TIMEOUT_MS. */
  leave(): void;
}

export function shareChangesAcrossNodes(io: CirclesServer, boards: BoardService, logger: Logger): void {
  boards.subscribeOwnWrites({
    changed(board, events) {
      io.serverSideEmit("board-changes", { board, events: [...events] });
    },
  });
  io.on("board-changes", (changes: unknown) => {
    const parsed = parseBoardChanges(changes);
    if (!parsed.ok) return logger.warn({ error: parsed.error }, "ignored board changes from another node");
    boards.applyRemote(parsed.value.board, parsed.value.events);
  });
}

export function sharePlayersAcrossNodes(io: CirclesServer, presence: Presence, fanout: Pick<Fanout, "playersChanged">, logger: Logger): NodePlayers {
  const { node } = presence;
  const sendRoster = () => io.serverSideEmit("players", { node, boards: presence.roster(), full: true });
  const changes = new TickQueue<string, never>({
    tickMs: TICK_MS,
    flush: (board) => io.serverSideEmit("players", { node, boards: { [board]: presence.localPlayers(board) }, full: false }),
    onError: (error) => logger.error({ err: error }, "telling the other nodes of players failed"),
  });
  const refresh = (boards: string[]) => {
    for (const board of boards) fanout.playersChanged(board);
  };
  io.on("players", (message: unknown) => {
    const parsed = parseRosterMessage(message);
    if (!parsed.ok) return logger.warn({ error: parsed.error }, "ignored players from another node");
    if (parsed.value.node === node) return;
    const { changed, newNode } = presence.updateRemote(parsed.value, Date.now());
    refresh(changed);
    // A node that just started knows nobody's players yet.
    if (newNode) sendRoster();
  });
  const timers = [setInterval(sendRoster, HEARTBEAT_MS), setInterval(() => refresh(presence.expireRemote(Date.now())), EXPIRY_CHECK_MS)];
  for (const timer of timers) timer.unref();
  io.httpServer?.once("close", () => timers.forEach(clearInterval));
  sendRoster();
  return {
    changed: (board) => changes.add(board),
    leave() {
      for (const timer of timers) clearInterval(timer);
      io.serverSideEmit("players", { node, boards: {}, full: true });
    },
  };
}

