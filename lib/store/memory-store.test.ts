import { describeBoardStoreContract } from "../../test/store-contract.js";
import { describeRoomStoreContract } from "../../test/room-store-contract.js";
import { describeUndoStoreContract } from "../../test/undo-store-contract.js";
import { describeOnceStoreContract } from "../../test/once-store-contract.js";
import { MemoryStore } from "./memory-store.js";

describeBoardStoreContract("MemoryStore", async () => ({ store: new MemoryStore() }));
describeUndoStoreContract("MemoryStore", async () => ({ store: new MemoryStore() }));
describeRoomStoreContract("MemoryStore", async () => ({ store: new MemoryStore() }));
describeOnceStoreContract("MemoryStore", async () => ({ store: new MemoryStore() }));
