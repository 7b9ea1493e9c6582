import { describeBoardStoreContract } from "../../test/store-contract.js";
import { MemoryStore } from "./memory-store.js";

describeBoardStoreContract("MemoryStore", async () => ({ store: new MemoryStore() }));
