/**
 * A browser's secrets, as the server keeps them: never the key itself (it
 * would let anyone who reads the store or the Redis stream act as its
 * player), only a SHA-256 hash of it, which is what a circle's owner and a
 * board's host are. Player and host keys hash apart (a prefix each), so one
 * can never stand for the other.
 */
import { createHash } from "node:crypto";

const hash = (kind: string, key: string) => createHash("sha256").update(`circles ${kind}\0${key}`).digest("base64url");

/** The owner of the circles drawn with this player key. */
export const ownerOf = (playerKey: string): string => hash("player", playerKey);

/** A board's host, as its host key proves it. */
export const hostOf = (hostKey: string): string => hash("host", hostKey);
