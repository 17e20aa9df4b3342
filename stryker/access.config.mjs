import { area } from "./base.mjs";

export default area("access", ["server/auth/authorize.ts", "server/auth/directory.ts", "server/auth/in-flight.ts", "server/auth/stored-key.ts", "server/core/cache/key.ts"]);
