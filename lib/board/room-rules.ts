/**
 * The rules of a board's room, as `BoardService` applies them and players
 * read them:
 *
 * - The host (who made the board, claimed it while it was new, or holds the
 *   operator's ADMIN_KEY) decides who may draw and who may chat: everyone,
 *   or the host alone. Undoing one's own circles is never paused.
 * - The host may remove a player: every socket of theirs (their player key)
 *   is disconnected on every node, every circle they drew on the board is
 *   removed, and their key stays out until the host lets them back. A player
 *   who clears their browser's storage comes back as someone new: pausing
 *   drawing answers that.
 * - The host may remove any circle, and delete the board.
 * - A board with no write and nobody on it for BOARD_RETENTION_DAYS is
 *   deleted as the host would delete it.
 */
import type { Audience, BoardHost, BoardRules, RoomRules } from "../protocol/events.js";
import { hasAuthority } from "../store/board-store.js";

export const ROOM_ERRORS = {
  notHost: "only the board's host can do that",
  drawPaused: "the host paused drawing: only the host can draw now",
  chatPaused: "the host paused chat: only the host can chat now",
  removed: "the host removed you from this board",
  noSuchPlayer: "no such player on this board",
  noKey: "that player has no player key, so they cannot be kept out: pause drawing instead",
  notYourself: "you cannot remove yourself",
  notRemoved: "no removed player has that id",
  deleted: "the host deleted this board",
  expired: "this board was deleted after going unused",
} as const;

/** Who is asking: their host key's hash for the board, and whether they hold the admin key. */
export interface HostClaim {
  host?: string | undefined;
  admin?: boolean | undefined;
}

/** Whether `who` has the host's powers on a board with this host: the store's own rule. */
export function hasHostPowers(host: BoardHost | undefined, who: HostClaim): boolean {
  return hasAuthority(host?.hash, { host: who.host, admin: who.admin === true });
}

/** Whether `who` may do what `audience` allows. */
export function allowed(audience: Audience, host: BoardHost | undefined, who: HostClaim): boolean {
  return audience === "everyone" || hasHostPowers(host, who);
}

/** The board's whole rules as `board-rules` tells them. */
export function boardRules(rules: RoomRules, host: BoardHost | undefined): BoardRules {
  return { draw: rules.draw, chat: rules.chat, clear: host?.locked ? "host" : "everyone", hosted: host !== undefined };
}

/** How often the retention sweep runs: a tenth of the retention, so a board goes at most that late, and at least hourly. */
export function sweepIntervalMs(retentionMs: number): number {
  return Math.max(100, Math.min(retentionMs / 10, 60 * 60 * 1000));
}
