/**
 * How long the page's writes may wait for a connection, and how often it
 * tries again. A write sent long after it was made must not undo what others
 * did meanwhile, so each kind waits only as long as it stays harmless:
 * - a tap, and an undo of a circle it names, wait up to TAP_MAX_AGE_MS, in
 *   this browser's storage, across closing the tab (older ones are dropped
 *   when the board is opened again, saying how many);
 * - a Clear waits at most CLEAR_MAX_WAIT_MS, in the page only: sent later it
 *   would wipe what others drew meanwhile;
 * - an Undo clear waits only while the clear may be undone (`undoMs`);
 * - chat and the host's actions do not wait: refused at once while offline,
 *   and sent again (once, with the same operation id) when a disconnection
 *   swallowed their answer and the page is back within LOST_ANSWER_WAIT_MS.
 */

export const TAP_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export const CLEAR_MAX_WAIT_MS = 30_000;

export const LOST_ANSWER_WAIT_MS = 30_000;

/** After "not now" (`RETRY_LATER_CODES`) or no answer: wait this long, doubling up to LAST_RETRY_MS. A reconnection sends at once. */
export const FIRST_RETRY_MS = 500;
export const LAST_RETRY_MS = 15_000;

/** Where a board's waiting taps and undos are kept (localStorage). */
export const waitingKey = (board: string): string => `circles:waiting:${board}`;
