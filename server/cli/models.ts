// `hoosh models [--server URL]`: the models a running hoosh routes to.
// `hoosh models pull|list|rm`: model files in <data dir>/models ($HOOSH_DATA_DIR, else
// ~/.local/share/hoosh), for type "local" providers to point their model_path at.
import { mkdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { Capability, HealthState, Locality, ModelsService } from "../../gen/ts/hoosh/v1/models_pb.js";
import { modelsDir } from "../engines/data-dir.js";
import { download } from "../engines/download.js";
import { DownloadProgress, formatBytes } from "../engines/download-progress.js";
import { badModelName, listModelFiles, removeModelFile } from "../engines/model-files.js";
import { formatParams } from "../hardware/placement-response.js";
import { parse, UsageError } from "./args.js";
import { CLIENT_OPTIONS, clientFor } from "./client.js";

const SUBCOMMANDS: Record<string, (args: string[]) => Promise<void>> = { pull, list, rm };

export async function models(args: string[]): Promise<void> {
  const sub = args[0] !== undefined && !args[0].startsWith("-") ? SUBCOMMANDS[args[0]] : undefined;
  if (sub) return sub(args.slice(1));
  if (args[0] !== undefined && !args[0].startsWith("-")) {
    throw new UsageError(`models: unknown subcommand ${JSON.stringify(args[0])}; available: ${Object.keys(SUBCOMMANDS).join(", ")}`);
  }
  const { values } = parse(args, { ...CLIENT_OPTIONS }, []);
  const { models } = await clientFor(ModelsService, values).listModels({});
  const rows = models.map((m) => [
    m.id,
    m.provider,
    Locality[m.locality].toLowerCase(),
    m.capabilities.map((c) => Capability[c].toLowerCase()).join(","),
    HealthState[m.health].toLowerCase() + (m.healthReason ? ` (${m.healthReason})` : ""),
  ]);
  printTable(["MODEL", "PROVIDER", "WHERE", "CAPABILITIES", "HEALTH"], rows);
  if (rows.length === 0) process.stdout.write("(no models: configure providers with literal model ids or reachable upstreams)\n");
}

/** `hoosh models pull URL [--name FILE] [--sha256 HEX]`: download (resumable) into the models folder. */
async function pull(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { name: { type: "string" }, sha256: { type: "string" } }, ["SOURCE"]);
  const source = positionals[0]!;
  let url: URL;
  try {
    url = new URL(source);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error();
  } catch {
    throw new UsageError(`pull: ${JSON.stringify(source)} is not an http:// or https:// URL`);
  }
  const name = values.name ?? decodeURIComponent(basename(url.pathname));
  const bad = badModelName(name);
  if (bad) throw new UsageError(`pull: ${bad}${values.name === undefined ? "; name the file with --name" : ""}`);
  if (values.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(values.sha256)) {
    throw new UsageError(`--sha256: ${JSON.stringify(values.sha256)} is not 64 hex digits`);
  }
  const dir = modelsDir(process.env);
  const dest = join(dir, name);
  if (await exists(dest)) {
    process.stdout.write(`${dest}: already present (remove it with \`hoosh models rm ${name}\` to download again)\n`);
    return;
  }
  await mkdir(dir, { recursive: true });
  const progress = new DownloadProgress(process.stderr, name);
  try {
    const result = await download({
      url: url.href,
      dest,
      sha256: values.sha256,
      magic: name.endsWith(".gguf") ? "GGUF" : undefined,
      onProgress: (received, total) => progress.update(received, total),
    });
    progress.finish();
    const resumed = result.resumedFrom > 0 ? `, resumed at ${formatBytes(result.resumedFrom)}` : "";
    process.stdout.write(`${dest}: ${formatBytes(result.bytes)}, sha256 ${result.sha256}${resumed}\n`);
  } catch (err) {
    progress.finish();
    throw err;
  }
}

/** `hoosh models list`: the files in the models folder with their GGUF metadata. */
async function list(args: string[]): Promise<void> {
  parse(args, {}, []);
  const dir = modelsDir(process.env);
  const files = await listModelFiles(dir);
  const rows = files.map((f) => [
    f.name,
    formatBytes(f.sizeBytes),
    f.partial ? "(partial download)" : (f.error ? `(unreadable: ${f.error})` : (f.architecture ?? "-")),
    f.parameterCount === undefined ? "-" : formatParams(f.parameterCount),
    f.quantization ?? "-",
    f.contextLength === undefined ? "-" : String(f.contextLength),
    f.hasChatTemplate === undefined ? "-" : f.hasChatTemplate ? "yes" : "no",
  ]);
  printTable(["NAME", "SIZE", "ARCH", "PARAMS", "QUANT", "CONTEXT", "CHAT TEMPLATE"], rows);
  if (rows.length === 0) process.stdout.write(`(no model files in ${dir}; download one with \`hoosh models pull URL\`)\n`);
}

/** `hoosh models rm NAME`: deletes the file (and any partial download of it). */
async function rm(args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, ["NAME"]);
  const name = positionals[0]!;
  const bad = badModelName(name);
  if (bad) throw new UsageError(`rm: ${bad}`);
  const dir = modelsDir(process.env);
  if (!(await removeModelFile(dir, name))) throw new Error(`no model file ${JSON.stringify(name)} in ${dir}`);
  process.stdout.write(`removed ${join(dir, name)}\n`);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()}\n`);
}
