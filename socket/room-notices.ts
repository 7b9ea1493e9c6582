/**
 * What the host's actions mean for this node's sockets, on whichever node
 * they were taken (the notices arrive from `BoardService`, here or from
 * another node through `socket/relay/nodes.ts`):
 *
 * - the rules or the host changed: `board-rules` to the board's
 *   `protocol=2` sockets;
 * - a player was removed: each of their sockets here is told why
 *   (`player-removed`) and disconnected, and the host's sockets get the new
 *   list of removed players (`removed-players`), as after a readmission;
 * - the board was deleted: every socket of it here gets `board-deleted` and
 *   is disconnected, and its chat is forgotten.
 *
 * A socket sent away is told why, then given LEAVE_GRACE_MS to close the
 * connection itself (the page does at once), so that nothing it still had
 * under way is cut off mid-request; meanwhile every event it sends is
 * refused with that reason (`socket.data.leaving`, checked in `socket/events/connection.ts`), and
 * after it the server closes what is left. The answer to the host's own
 * request, sent after the notice, still reaches it.
 */
import type { BoardService } from "../lib/board/board-service.js";
import { hasHostPowers, ROOM_ERRORS } from "../lib/board/room-rules.js";
import type { LiveState } from "../lib/live-state/live-state.js";
import type { Logger } from "../lib/ops/logger.js";
import type { BoardNotice, RemovedPlayerDetails } from "../lib/protocol/events.js";
import type { BoardListener } from "../lib/board/board-service.js";
import { roomOf } from "./rooms.js";
import type { CirclesServer, CirclesSocket } from "./types.js";

/** How long a socket sent away may take to close the connection itself before the server does. */
export const LEAVE_GRACE_MS = 1_000;

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
  const sendAway = (sockets: CirclesSocket[], reason: string, tell: (socket: CirclesSocket) => void) => {
    for (const socket of sockets) {
      socket.data.leaving = reason;
      tell(socket);
      setTimeout(() => socket.disconnect(true), LEAVE_GRACE_MS).unref();
    }
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
          sendAway(theirs, ROOM_ERRORS.removed, (socket) => socket.emit("player-removed", { reason: ROOM_ERRORS.removed }));
          return tellHosts(board);
        }
        case "readmitted":
          return tellHosts(board);
        case "deleted": {
          const reason = notice.expired ? ROOM_ERRORS.expired : ROOM_ERRORS.deleted;
          sendAway(socketsOf(board), reason, (socket) => socket.emit("board-deleted", { board, reason }));
          presence.forgetChat(board).catch((error: unknown) => logger.warn({ err: error, board }, "could not forget a deleted board's chat"));
          return;
        }
        case "cleared":
          return;
      }
    },
  };
}
