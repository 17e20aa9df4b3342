// hoosh CLI entry: serve, infer, models, health, info, config check.
import { Code, ConnectError } from "@connectrpc/connect";
import { ConfigError } from "./config/index.js";
import { UsageError } from "./cli/args.js";

const USAGE = `usage:
  hoosh serve [--config FILE] [--port N] [--bind ADDR] [--workers N|auto]
                                                         start the gateway (embedded default config without --config)
  hoosh infer [--server URL] [--api-key KEY] [--stream] [--system TEXT] [--max-tokens N] MODEL PROMPT
  hoosh transcribe FILE [--model M] [--stream] [--format text|json|srt|vtt] [--language L]   speech to text (default model whisper-1)
  hoosh speak TEXT [-o out.wav] [--voice V] [--speed S] [--model M] [--format wav|mp3|pcm]  text to speech (default model tts-1; no -o: stdout)
  hoosh models [--server URL]                            list models of a running hoosh
  hoosh models pull URL [--name FILE] [--sha256 HEX]     download a model file (resumable) into $HOOSH_DATA_DIR/models
  hoosh models list                                      model files there, with GGUF metadata
  hoosh models rm NAME                                   delete one of them
  hoosh health [--server URL] [--service NAME]           gRPC health check (exit 1 unless SERVING)
  hoosh info [--server URL]                              hardware of a running hoosh
  hoosh config check FILE                                validate a config file
  hoosh audit verify FILE [--config FILE]                check an audit log's hash chain (key: config's audit_key or $HOOSH_AUDIT_KEY)
  hoosh keys hash [--generate]                           sha256 of an API key read from stdin (or of a new random one) for [[keys]].hash
  hoosh keys create --name N [--team T] [--scopes a,b (default inference)] [--models glob,...] [--budget-tokens N] [--budget-usd-micros N]
                    [--budget-pool P] [--period day|hour|month|none] [--rpm N] [--tpm N]   a new key; prints its secret once
  hoosh keys list [--team T] [--all]                     keys of a running hoosh, one a line, id first (--all: revoked too)
  hoosh keys revoke ID                                   revoke a stored key
  hoosh keys rotate ID [--grace SECONDS]                 a new secret; the old one works for the grace period (default 1 day)
  hoosh usage [--by key|team|model|provider|pool|day] [--since 30d|ISO-DATE] [--key ID] [--team T]   spend report
Commands that talk to a running hoosh take --server (default $HOOSH_SERVER or http://127.0.0.1:8088)
and --api-key (default $HOOSH_API_KEY), sent as a Bearer token.`;

type Command = (args: string[]) => Promise<void>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import("./cli/serve.js")).serve,
  infer: async () => (await import("./cli/infer.js")).infer,
  transcribe: async () => (await import("./cli/transcribe.js")).transcribe,
  speak: async () => (await import("./cli/speak.js")).speak,
  models: async () => (await import("./cli/models.js")).models,
  health: async () => (await import("./cli/health.js")).health,
  info: async () => (await import("./cli/info.js")).info,
  audit: async () => (await import("./cli/audit.js")).audit,
  keys: async () => (await import("./cli/keys.js")).keys,
  usage: async () => (await import("./cli/usage.js")).usage,
  config: async () => async (args) => {
    if (args[0] !== "check") throw new UsageError(`config: unknown subcommand ${JSON.stringify(args[0] ?? "")}; available: check`);
    await (await import("./cli/config-check.js")).configCheck(args.slice(1));
  },
};

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const load = COMMANDS[name];
  if (!load) throw new UsageError(`unknown command ${JSON.stringify(name)}; available: ${Object.keys(COMMANDS).join(", ")}`);
  await (await load())(args);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof UsageError) {
    process.stderr.write(`hoosh: ${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (err instanceof ConnectError) {
    process.stderr.write(`hoosh: ${Code[err.code]}: ${err.rawMessage}\n`);
    process.exit(1);
  }
  process.stderr.write(`hoosh: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
