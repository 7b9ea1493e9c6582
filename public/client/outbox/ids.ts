/** Ids the page makes for its writes: a circle's `id`, an operation's `op` (OPERATION_ID_PATTERN). */

/**
 * A random UUID. `crypto.randomUUID` exists only in secure contexts, and a
 * classroom may well reach the app at http://192.168.x.y: there a version 4
 * UUID is made from `getRandomValues`, which every context has.
 */
export function newId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
