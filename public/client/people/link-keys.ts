/**
 * Keys that come in a link's fragment, which browsers never send to a
 * server: `#host=<key>` (this board's host key, from "Copy host link") and
 * `#admin=<key>` (the operator's admin key, for every board). The page keeps
 * them (keys.ts) and takes the fragment out of the address bar before it
 * connects, so that the key is not left in the history, a bookmark or a
 * screenshot of the address. Keys never go into a path or query string and
 * are never logged.
 */
import type { Keys } from "./keys.js";

/** What the server accepts as a host key: 22–128 base64url characters. */
const HOST_KEY = /^[A-Za-z0-9_-]{22,128}$/;
/** What the operator may set as ADMIN_KEY. */
const ADMIN_KEY = /^[A-Za-z0-9_-]{16,128}$/;

export interface LinkKeys {
  hostKey?: string;
  adminKey?: string;
}

/**
 * The keys a fragment (`location.hash`, with or without its `#`) carries, or
 * null when it names none (a plain `#anchor` is left alone). A key that is
 * not a key is dropped, yet the fragment still counts as one to take away.
 */
export function keysInFragment(hash: string): LinkKeys | null {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  if (!params.has("host") && !params.has("admin")) return null;
  const keys: LinkKeys = {};
  const host = params.get("host") ?? "";
  const admin = params.get("admin") ?? "";
  if (HOST_KEY.test(host)) keys.hostKey = host;
  if (ADMIN_KEY.test(admin)) keys.adminKey = admin;
  return keys;
}

/** The link that makes whoever opens it this board's host: its address, and the key in the fragment. */
export function hostLink(boardUrl: string, hostKey: string): string {
  return `${boardUrl.replace(/#.*$/, "")}#host=${hostKey}`;
}

/** The parts of `window.location` and `window.history` used here, so that tests can hand in their own. */
export interface AddressBar {
  location: Pick<Location, "hash" | "pathname" | "search">;
  history: Pick<History, "replaceState" | "state">;
}

/**
 * Keep the keys of this page's address, if it has any, and take them out of
 * it: call before connecting, so that the handshake carries them.
 */
export function takeKeysFromAddress(board: string, keys: Pick<Keys, "keepHostKey" | "keepAdminKey">, address: AddressBar): LinkKeys | null {
  const found = keysInFragment(address.location.hash);
  if (!found) return null;
  if (found.hostKey) keys.keepHostKey(board, found.hostKey);
  if (found.adminKey) keys.keepAdminKey(found.adminKey);
  address.history.replaceState(address.history.state, "", `${address.location.pathname}${address.location.search}`);
  return found;
}
