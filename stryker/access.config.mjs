import { area } from "./base.mjs";

export default area("access", ["server/auth/authorize.ts", "server/core/cache/key.ts"]);
