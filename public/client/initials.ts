/**
 * The player's initials: checked with the shared rule, upper-cased, and
 * remembered in localStorage so a reload does not ask again. Storage can be
 * unavailable (private modes, blocked cookies): then they last for this page.
 */
import { INITIALS_PATTERN } from "../../lib/rules.js";

const STORAGE_KEY = "circles.initials";

export const INITIALS_HINT = "Use 2–3 letters or digits, like AB or JD2.";

/** The initials to use for what the player typed, or null when they do not fit the rule. */
export function normaliseInitials(raw: string): string | null {
  const trimmed = raw.trim();
  return INITIALS_PATTERN.test(trimmed) ? trimmed.toUpperCase() : null;
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
