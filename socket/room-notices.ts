/**
 * What the host's actions mean for this node's sockets, on whichever node
 * they were taken (the notices arrive from `BoardService`, here or from
 * another node through `nodes.ts`):
 *
 * - the rules or the host changed: `board-rules` to the board's
 *   `protocol=2` sockets;
 * - a player was removed: each of their sockets here is told why
 *   (`player-removed`) and disconnected, and the host's sockets get the new
 *   list of removed players (`removed-players`), as after a readmission;
 * - the board was deleted: every socket of it here gets `board-deleted` and
 *   is disconnected, and its chat is forgotten.
 *
 * Sockets are disconnected at the end of the turn, so that the answer to
 * the host's own request (sent after the notice) still reaches it.
 */
import type { BoardService } from "../lib/board/board-service.js";
import { hasHostPowers, ROOM_ERRORS } from "../lib/board/room-rules.js";
import type { LiveState } from "../lib/live-state/live-state.js";
import type { Logger } from "../lib/ops/logger.js";
import type { BoardNotice, RemovedPlayerDetails } from "../lib/protocol/events.js";
import type { BoardListener } from "../lib/board/board-service.js";
import { roomOf } from "./rooms.js";
import type { CirclesServer, CirclesSocket } from "./types.js";

/** The players removed from the board, as the host's page lists them: never their keys. */
export const removedList = (players: readonly RemovedPlayerDetails[]): RemovedPlayerDetails[] =>
  players.map(({ id, initials }) => ({ id, initials }));

export function createRoomNotices(
  io: CirclesServer,
  boards: Pick<BoardService, "peek" | "rulesOf">,
  presence: Pick<LiveState, "forgetChat">,
  logger: Logger,
): BoardListener {
  /** This node's sockets on the board, whether or not it has loaded for them yet. */
  const socketsOf = (board: string): CirclesSocket[] => [...io.of("/").sockets.values()].filter((socket) => socket.data.board === board);
  const sendAway = (sockets: CirclesSocket[]) => {
    if (sockets.length > 0) setImmediate(() => sockets.forEach((socket) => socket.disconnect(true)));
  };
  const tellHosts = (board: string) => {
    const live = boards.peek(board);
    if (!live) return;
    const list = removedList(live.removed);
    for (const socket of socketsOf(board))
      if (socket.data.protocol === 2 && hasHostPowers(live.host, socket.data)) socket.emit("removed-players", list);
  };

  return {
    changed() {},
    noticed(board: string, notice: BoardNotice) {
      switch (notice.type) {
        case "host":
        case "rules": {
          const rules = boards.rulesOf(board);
          if (rules) io.local.to(roomOf(board, 2)).emit("board-rules", rules);
          return;
        }
        case "removed": {
          const theirs = socketsOf(board).filter((socket) => socket.data.owner === notice.player.owner);
          for (const socket of theirs) socket.emit("player-removed", { reason: ROOM_ERRORS.removed });
          sendAway(theirs);
          return tellHosts(board);
        }
        case "readmitted":
          return tellHosts(board);
        case "deleted": {
          const everyone = socketsOf(board);
          const reason = notice.expired ? ROOM_ERRORS.expired : ROOM_ERRORS.deleted;
          for (const socket of everyone) socket.emit("board-deleted", { board, reason });
          sendAway(everyone);
          presence.forgetChat(board).catch((error: unknown) => logger.warn({ err: error, board }, "could not forget a deleted board's chat"));
          return;
        }
        case "cleared":
          return;
      }
    },
  };
}
