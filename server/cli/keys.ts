// `hoosh keys hash`: the sha256 a [[keys]] entry stores (create|list|revoke|rotate: keys-admin.ts). The key comes from
// stdin (one line; never from argv, where `ps` and shell history would see it)
// or, with --generate, is a new random one, printed once.
import { generateKey, hashKey } from "../auth/keys.js";
import { parse, UsageError } from "./args.js";
import { KEY_COMMANDS } from "./keys-admin.js";

const MIN_KEY_LENGTH = 16;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("enter the API key, then press Enter and Ctrl-D:\n");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

export async function keys(args: string[]): Promise<void> {
  const admin = KEY_COMMANDS[args[0] ?? ""];
  if (admin) return admin(args.slice(1));
  if (args[0] !== "hash") throw new UsageError(`keys: unknown subcommand ${JSON.stringify(args[0] ?? "")}; available: hash, ${Object.keys(KEY_COMMANDS).join(", ")}`);
  const { values } = parse(args.slice(1), { generate: { type: "boolean" } }, []);
  const key = values.generate ? generateKey() : await readStdin();
  if (key.length < MIN_KEY_LENGTH || /\s/.test(key)) {
    throw new UsageError(`keys hash: the key must be at least ${MIN_KEY_LENGTH} characters with no whitespace (or use --generate)`);
  }
  if (values.generate) process.stdout.write(`key: ${key}\n`);
  process.stdout.write(`hash: ${hashKey(key)}\n`);
}
