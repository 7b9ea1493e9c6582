/** Opens the store the configuration names. */
import type { Config } from "../config.js";
import type { BoardStore } from "./board-store.js";
import { MemoryStore } from "./memory-store.js";
import { SqliteStore } from "./sqlite-store.js";

export async function openStore(config: Pick<Config, "store" | "dataDir">): Promise<BoardStore> {
  switch (config.store) {
    case "memory":
      return new MemoryStore();
    case "sqlite":
      return SqliteStore.open({ dataDir: config.dataDir });
  }
}
