// The key store contract on memory, SQLite (temp files) and a real redis-server.
import { MemoryKeyStore } from "../../server/store/memory/key-store.js";
import { RedisKeyStore } from "../../server/store/redis/key-store.js";
import { SqliteKeyStore } from "../../server/store/sqlite/key-store.js";
import { storeFixtures } from "../harness/store-fixtures.js";
import { describeKeyStoreContract } from "./key-store-contract.js";

const f = storeFixtures("keystore");

describeKeyStoreContract("memory", () => new MemoryKeyStore());
describeKeyStoreContract("sqlite", () => f.sqlite((file) => SqliteKeyStore.open(file)));
describeKeyStoreContract("redis", () => new RedisKeyStore(f.redis, f.fresh("ks") + ":"));
