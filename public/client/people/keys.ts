/**
 * This browser's secrets, sent in the socket handshake's `auth` (never in
 * a URL's path or query): its player key, which makes the circles it draws
 * its own across reloads and reconnections, so that it may undo them; the
 * host key of each board it made with "New board", claimed with "Become
 * host" or was given in a host link; and the operator's admin key, if an
 * admin link brought it. Random (but the admin key), kept in localStorage;
 * the server keeps only the hashes of the player and host keys. When
 * storage is blocked they last for this page.
 */

const PLAYER_KEY = "circles.playerKey";
/** Site-wide: the admin key is the host's powers on every board. */
const ADMIN_KEY = "circles.adminKey";
const hostKeyName = (board: string) => `circles.host.${board}`;

/** 256 random bits, base64url: what the server accepts as a key. */
export function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** The part of `localStorage` used here, so that tests can hand in their own. */
export type KeyStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export class Keys {
  readonly #storage: () => KeyStorage;
  /** What was kept this page, for when storage refuses. */
  readonly #fallback = new Map<string, string>();

  constructor(storage: () => KeyStorage = () => localStorage) {
    this.#storage = storage;
  }

  /** This browser's player key, made on first use. */
  playerKey(): string {
    return this.#get(PLAYER_KEY) ?? this.#set(PLAYER_KEY, randomKey());
  }

  /** The host key this browser made `board` with, if it did. */
  hostKeyOf(board: string): string | undefined {
    return this.#get(hostKeyName(board));
  }

  /** A new board's host key, kept for when its page claims it. */
  makeHostKey(board: string): string {
    return this.#set(hostKeyName(board), randomKey());
  }

  /** A host key for `board` from elsewhere (a host link), in place of any kept before. */
  keepHostKey(board: string, key: string): void {
    this.#set(hostKeyName(board), key);
  }

  /** The operator's admin key, if a link gave this browser one. */
  adminKey(): string | undefined {
    return this.#get(ADMIN_KEY);
  }

  keepAdminKey(key: string): void {
    this.#set(ADMIN_KEY, key);
  }

  /** The board cannot be claimed any more (someone used it first): its key is of no use. */
  forgetHostKey(board: string): void {
    this.#fallback.delete(hostKeyName(board));
    try {
      this.#storage().removeItem(hostKeyName(board));
    } catch {
      // storage blocked: nothing was kept there
    }
  }

  #get(name: string): string | undefined {
    try {
      return this.#storage().getItem(name) ?? this.#fallback.get(name);
    } catch {
      return this.#fallback.get(name);
    }
  }

  #set(name: string, value: string): string {
    this.#fallback.set(name, value);
    try {
      this.#storage().setItem(name, value);
    } catch {
      // storage blocked or full: kept until the page closes
    }
    return value;
  }
}
