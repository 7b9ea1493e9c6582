/**
 * The player's initials: checked and normalised with the server's own rule
 * (`checkInitials`), and remembered in localStorage so a reload does not ask
 * again. Storage can be unavailable (private modes, blocked cookies): then
 * they last for this page.
 */
import { checkInitials } from "../../../lib/protocol/rules.js";

const STORAGE_KEY = "circles.initials";

export const INITIALS_HINT = "Use 2–3 letters or digits of any script, like AB, JD2 or 李明, with no spaces, symbols or invisible characters.";

/** The initials to use for what the player typed, or null when they do not fit the rule. */
export function normaliseInitials(raw: string): string | null {
  const checked = checkInitials(raw.trim());
  return checked.ok ? checked.initials : null;
}

let fallback: string | null = null;

export function loadInitials(): string | null {
  let stored: string | null = fallback;
  try {
    stored = localStorage.getItem(STORAGE_KEY) ?? fallback;
  } catch {
    // storage blocked: keep the in-memory value
  }
  return stored === null ? null : normaliseInitials(stored);
}

export function saveInitials(initials: string): void {
  fallback = initials;
  try {
    localStorage.setItem(STORAGE_KEY, initials);
  } catch {
    // storage blocked or full: remembered until the page closes
  }
}
