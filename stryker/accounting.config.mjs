import { area } from "./base.mjs";

export default area("accounting", ["server/core/accounting/settle.ts", "server/core/budget/ledger.ts"]);
