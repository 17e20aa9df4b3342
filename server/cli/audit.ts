// `hoosh audit verify FILE [--config FILE]`: recomputes an audit log's hash
// chain. Prints "ok N entries" (exit 0) or the first broken link (exit 1).
// The HMAC key is the config's [observability] audit_key, else $HOOSH_AUDIT_KEY,
// else empty (a log written without audit_key).
import { readFile } from "node:fs/promises";
import { loadConfigFile } from "../config/index.js";
import { describeResult, verifyChain } from "../observability/audit-chain.js";
import { parse, UsageError } from "./args.js";

export async function audit(args: string[]): Promise<void> {
  if (args[0] !== "verify") throw new UsageError(`audit: unknown subcommand ${JSON.stringify(args[0] ?? "")}; available: verify`);
  const { values, positionals } = parse(args.slice(1), { config: { type: "string", short: "c" } }, ["FILE"]);
  const file = positionals[0]!;
  const key = values.config ? ((await loadConfigFile(values.config, process.env)).observability.audit_key ?? "") : (process.env.HOOSH_AUDIT_KEY ?? "");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  const result = verifyChain(text, key);
  process.stdout.write(`${describeResult(result)}\n`);
  if (!result.ok) process.exitCode = 1;
}
