/**
 * How long this server keeps a board nobody uses, as the page's footer says
 * it: "Boards unused for 30 days are deleted." The server's setting is a
 * number of days (BOARD_RETENTION_DAYS, rendered into the page), which may be
 * a fraction for a test server: under a day it is said in hours, minutes or
 * seconds, so that 0.0001 reads "9 seconds" rather than "0 days".
 */

interface Unit {
  name: string;
  seconds: number;
}

const SECOND: Unit = { name: "second", seconds: 1 };
const UNITS: readonly Unit[] = [{ name: "day", seconds: 86_400 }, { name: "hour", seconds: 3_600 }, { name: "minute", seconds: 60 }, SECOND];

/** What the footer says when boards are kept until their host deletes them (0, or no setting). */
export const KEPT_FOR_EVER = "Boards are kept until their host deletes them.";

/** A duration of `days` in the largest unit that makes it at least 1: "30 days", "1.5 days", "2.4 hours", "9 seconds". */
export function describeDays(days: number): string {
  const seconds = days * 86_400;
  const unit = UNITS.find((candidate) => seconds >= candidate.seconds) ?? SECOND;
  // Whole seconds: a tenth of one is not worth saying. Never "0 seconds" for a duration above zero.
  const amount = unit === SECOND ? Math.max(1, Math.round(seconds)) : seconds / unit.seconds;
  const text = new Intl.NumberFormat("en", { maximumFractionDigits: 1 }).format(amount);
  return `${text} ${unit.name}${text === "1" ? "" : "s"}`;
}

/** The footer's sentence for the server's setting; `days` is as rendered into the page, possibly missing or odd. */
export function retentionText(days: unknown): string {
  if (typeof days !== "number" || !Number.isFinite(days) || days <= 0) return KEPT_FOR_EVER;
  return `Boards unused for ${describeDays(days)} are deleted.`;
}

/** The footer's line, from the setting the server rendered into `<body data-retention-days>`; hidden when it gave none. */
export function showRetention(line: HTMLElement, body: HTMLElement): void {
  const days = readRetentionDays(body.dataset.retentionDays);
  line.hidden = days === undefined;
  line.textContent = retentionText(days);
}

/** The setting as the page carries it (`data-retention-days`): a number, or undefined when the server gave none. */
export function readRetentionDays(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const days = Number(raw);
  return Number.isFinite(days) && days >= 0 ? days : undefined;
}
