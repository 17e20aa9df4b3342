/**
 * Loading hoosh.toml: TOML text → ${ENV} expansion → schema validation → Config.
 * Every failure is a ConfigError listing all problems found, one line each, without secrets.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parse as parseToml, TomlError } from "smol-toml";
import { expandEnv, referencedValues, scrubEnvValues, type Env } from "./env.js";
import { ConfigError, type ConfigIssue } from "./errors.js";
import { crossSectionIssues } from "./cross-section.js";
import { issuesFromZod } from "./issues.js";
import { applyPresets } from "./presets.js";
import { configSchema, type Config } from "./schema.js";
import { collectSecrets, scrubSecrets } from "./secrets.js";

export interface ParseOptions {
  /** Names the origin in error messages: a file path, or a label such as `--config-text`. */
  readonly source: string;
  /** Variables for `${VAR}` expansion (pass `process.env` from the CLI, a literal record in tests). */
  readonly env: Env;
}

/** File location of the embedded default configuration. */
export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL("./default.toml", import.meta.url));
export const DEFAULT_CONFIG_SOURCE = "embedded default.toml";

/** Parses and validates hoosh.toml text. Throws ConfigError. */
export function parseConfig(text: string, opts: ParseOptions): Config {
  let tree: unknown;
  try {
    tree = parseToml(text, { unsafeKeyBehaviour: "throw", maxDepth: 64 });
  } catch (err) {
    throw new ConfigError(opts.source, [tomlIssue(err)]);
  }

  const secrets = collectSecrets(tree);
  // Values that came from ${ENV} are named, never shown (also outside secret keys).
  const fromEnv = referencedValues(text, opts.env);
  const scrub = (s: string) => scrubEnvValues(scrubSecrets(s, secrets), fromEnv);
  const failure = (issues: ConfigIssue[]): ConfigError =>
    new ConfigError(
      opts.source,
      issues.map((i) => ({ path: scrub(i.path), message: scrub(i.message) })),
    );

  const expanded = expandEnv(tree, opts.env);
  if (expanded.issues.length > 0) throw failure(expanded.issues);
  secrets.push(...collectSecrets(expanded.value));
  secrets.sort((a, b) => b.length - a.length);

  const filled = applyPresets(expanded.value);
  const result = configSchema.safeParse(filled);
  if (!result.success) throw failure(issuesFromZod(result.error.issues, configSchema, filled, expanded.fromEnv));
  const across = crossSectionIssues(result.data);
  if (across.length > 0) throw failure(across);
  return result.data;
}

/** Reads and parses a config file. Throws ConfigError (also when the file cannot be read). */
export async function loadConfigFile(path: string, env: Env): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new ConfigError(path, [{ path: "(file)", message: `cannot read config file: ${osReason(err)}` }]);
  }
  return parseConfig(text, { source: path, env });
}

/** The embedded default configuration (server/config/default.toml). Throws ConfigError. */
export function loadDefaultConfig(env: Env = {}): Config {
  let text: string;
  try {
    text = readFileSync(DEFAULT_CONFIG_PATH, "utf8");
  } catch (err) {
    throw new ConfigError(DEFAULT_CONFIG_SOURCE, [{ path: "(file)", message: `cannot read ${DEFAULT_CONFIG_PATH}: ${osReason(err)}` }]);
  }
  return parseConfig(text, { source: DEFAULT_CONFIG_SOURCE, env });
}

function tomlIssue(err: unknown): ConfigIssue {
  if (err instanceof TomlError) {
    // smol-toml's message is "Invalid TOML document: <reason>\n\n<code frame>"; the frame may show secrets.
    const firstLine = err.message.split("\n", 1)[0] ?? "";
    const reason = firstLine.replace(/^Invalid TOML document:\s*/, "") || "invalid TOML";
    return { path: `line ${err.line}, column ${err.column}`, message: `TOML syntax error: ${reason}` };
  }
  return { path: "(root)", message: `TOML syntax error: ${err instanceof Error ? err.message.split("\n", 1)[0] : String(err)}` };
}

/** "no such file or directory (ENOENT)" from a Node fs error, without repeating the path. */
function osReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  const m = /^[A-Z0-9_]+: (.*?)(?:, \w+ '.*')?$/s.exec(err.message);
  const text = m?.[1] ?? err.message;
  return code ? `${text} (${code})` : text;
}
