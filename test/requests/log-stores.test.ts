// The request log store contract on memory, SQLite (temp files) and a real redis-server.
import { MemoryRequestLog } from "../../server/store/memory/request-log.js";
import { RedisRequestLog } from "../../server/store/redis/request-log.js";
import { SqliteRequestLog } from "../../server/store/sqlite/request-log.js";
import { storeFixtures } from "../harness/store-fixtures.js";
import { describeRequestLogStoreContract } from "./log-store-contract.js";

const f = storeFixtures("reqlog");

describeRequestLogStoreContract("memory", () => new MemoryRequestLog());
describeRequestLogStoreContract("sqlite", () => f.sqlite((file) => SqliteRequestLog.open(file)));
describeRequestLogStoreContract("redis", () => new RedisRequestLog(f.redis, f.fresh("rl") + ":"));
