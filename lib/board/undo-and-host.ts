/**
 * The rules of taking changes back and of a board's host, as `BoardService`
 * applies them and players read them:
 *
 * - A player may undo their own circles only, newest first: whose a circle
 *   is comes from the player key in the handshake (hashed, see
 *   `player-keys.ts`), which survives reconnecting and reaches every node
 *   with the circle. Circles drawn without a key (the lesson's clients, the
 *   REST API, circles stored before owners) are nobody's.
 * - A clear can be undone for UNDO_CLEAR_MS, by anyone who may clear, as
 *   long as no later clear came: it puts back what it removed, in order,
 *   on top of whatever was drawn since, which stays. Once undone it is gone.
 * - The first to claim a board nobody has used yet (seq 0) is its host, for
 *   good; the host may lock it, so that only the host may clear it or undo
 *   its clear, and unlock it.
 */
import type { RestoreRefusal } from "../store/board-store.js";

/** How long a clear can be undone. */
export const UNDO_CLEAR_MS = 10_000;

export const UNDO_ERRORS = {
  noKey: "undo needs a player key: connect with auth {playerKey}",
  nothing: "nothing of yours to undo",
  noSuchCircle: "no such circle on this board",
  notYours: "that circle is not yours to undo",
} as const;

export const RESTORE_ERRORS: Record<RestoreRefusal | "empty", string> = {
  locked: "locked by the host: only the host can undo the clear",
  gone: "that clear can no longer be undone",
  expired: `too late: a clear can be undone for ${UNDO_CLEAR_MS / 1000} seconds`,
  empty: "nothing to bring back: the board was already empty",
};

export const CLAIM_ERRORS = {
  noKey: "claiming a board needs a host key: connect with auth {hostKey}, or send claim-board {hostKey}",
  hosted: "this board already has a host",
  used: "only a new board can be claimed: this one has been used",
} as const;

export const LOCK_ERRORS = {
  locked: "locked by the host: only the host can clear this board",
  notHost: "only the board's host can lock or unlock it",
  noHost: "this board has no host, so its Clear has no lock: pause drawing instead",
} as const;
