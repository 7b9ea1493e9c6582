/** Opens the store the configuration names. */
import type { Config, StoreConfig } from "../ops/config.js";
import type { BoardStore } from "./board-store.js";
import { MemoryStore } from "./memory-store.js";
import { PostgresStore } from "./postgres-store.js";
import { SqliteStore } from "./sqlite-store.js";

export async function openStore(config: StoreConfig & Pick<Config, "dataDir">): Promise<BoardStore> {
  switch (config.store) {
    case "memory":
      return new MemoryStore();
    case "sqlite":
      return SqliteStore.open({ dataDir: config.dataDir });
    case "postgres":
      return PostgresStore.open({ databaseUrl: config.databaseUrl });
  }
}
