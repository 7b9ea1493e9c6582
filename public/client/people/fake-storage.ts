/** Stand-ins for the browser's localStorage, for the unit tests of what keeps things there. */
import type { KeyStorage } from "./keys.js";

/** Storage that works, kept in a Map the test can look into. */
export function memoryStorage(): KeyStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (name) => items.get(name) ?? null,
    setItem: (name, value) => void items.set(name, value),
    removeItem: (name) => void items.delete(name),
  };
}

/** Storage the browser refuses (private mode, blocked cookies): every call throws. */
export const blockedStorage: KeyStorage = {
  getItem: () => {
    throw new Error("blocked");
  },
  setItem: () => {
    throw new Error("blocked");
  },
  removeItem: () => {
    throw new Error("blocked");
  },
};
