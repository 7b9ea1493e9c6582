/**
 * A browser's secrets, as the server keeps them: never the key itself (it
 * would let anyone who reads the store or the Redis stream act as its
 * player), only a SHA-256 hash of it, which is what a circle's owner and a
 * board's host are. Player and host keys hash apart (a prefix each), so one
 * can never stand for the other.
 */
import { createHash, timingSafeEqual } from "node:crypto";

const hash = (kind: string, key: string) => createHash("sha256").update(`circles ${kind}\0${key}`).digest("base64url");

/** The owner of the circles drawn with this player key. */
export const ownerOf = (playerKey: string): string => hash("player", playerKey);

/** A board's host, as its host key proves it. */
export const hostOf = (hostKey: string): string => hash("host", hostKey);

/** The operator's ADMIN_KEY as kept in memory and compared: hashed like the others, so that comparing takes the same time whatever matches. */
export const adminOf = (adminKey: string): string => hash("admin", adminKey);

/** Whether `given` is the admin key whose hash is `adminHash`; false when there is none. */
export function isAdminKey(given: string | undefined, adminHash: string | undefined): boolean {
  if (given === undefined || adminHash === undefined) return false;
  return timingSafeEqual(Buffer.from(adminOf(given)), Buffer.from(adminHash));
}
