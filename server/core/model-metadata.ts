/**
 * What a model can do and how much it holds: from the provider type (an in-process speech
 * engine only transcribes) and the model table (data/models.json: picomatch globs over model
 * ids, first match wins, like the price table), never guessed from the id in code. Lookups are
 * memoised per (type, id); the table is checked at startup, naming models[i].field.
 */
import picomatch from "picomatch";
import defaultTable from "../../data/models.json" with { type: "json" };
import { Capability } from "../../gen/ts/hoosh/v1/models_pb.js";

export type ModelKind = "chat" | "embedding" | "transcription" | "speech";
const KINDS: readonly string[] = ["chat", "embedding", "transcription"];
const INPUTS: readonly string[] = ["image", "audio"];

export interface ModelEntry {
  match: string;
  kind: ModelKind;
  context_window?: number;
  max_output_tokens?: number;
  /** Inputs a chat model takes besides text. */
  input?: string[];
  tools?: boolean;
  json_schema?: boolean;
  reasoning?: boolean;
}

export interface ModelFile {
  models: ModelEntry[];
}

export interface ModelInfo {
  kind: ModelKind;
  capabilities: Capability[];
  /** Tokens; 0 when unknown. */
  contextWindow: number;
  maxOutputTokens: number;
  inputModalities: string[];
  outputModalities: string[];
}

/** Provider types whose every model is a speech-to-text engine. */
const TRANSCRIBING_TYPES = new Set(["pocketsphinx", "whisper", "whisper-server"]);
/** Provider types whose every model is a text-to-speech engine. */
const SPEAKING_TYPES = new Set(["flite"]);
/** A model no entry matches on a chat provider: chat with tools and structured output, window unknown. */
const UNKNOWN_CHAT: ModelEntry = { match: "", kind: "chat", tools: true, json_schema: true };
const ENGINE: ModelEntry = { match: "", kind: "transcription", input: ["audio"] };
const SPEAKER: ModelEntry = { match: "", kind: "speech" };
const MEMO_MAX = 4096;

export class ModelMetadata {
  private readonly rules: { test: (s: string) => boolean; entry: ModelEntry }[];
  private readonly memo = new Map<string, ModelInfo>();

  /** Throws naming models[i].field on a malformed entry (startup error). */
  constructor(file: ModelFile = defaultTable as ModelFile) {
    if (!Array.isArray(file?.models)) throw new Error("models table: models must be an array of {match, kind, ...}");
    this.rules = file.models.map((entry, i) => {
      checkEntry(entry, `models table models[${i}]`);
      return { test: picomatch(entry.match, { nocase: true }), entry };
    });
  }

  /** The model `id` as a provider of `providerType` serves it. */
  describe(id: string, providerType: string): ModelInfo {
    const key = `${providerType}\u0000${id}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const info = infoOf(TRANSCRIBING_TYPES.has(providerType) ? ENGINE : SPEAKING_TYPES.has(providerType) ? SPEAKER : (this.match(id) ?? UNKNOWN_CHAT));
    if (this.memo.size >= MEMO_MAX) this.memo.clear();
    this.memo.set(key, info);
    return info;
  }

  private match(id: string): ModelEntry | undefined {
    const slash = id.lastIndexOf("/");
    const candidates = slash >= 0 ? [id, id.slice(slash + 1)] : [id];
    return this.rules.find((r) => candidates.some((c) => r.test(c)))?.entry;
  }
}

function infoOf(e: ModelEntry): ModelInfo {
  const base = { contextWindow: e.context_window ?? 0, maxOutputTokens: e.max_output_tokens ?? 0 };
  if (e.kind === "embedding") return { ...base, kind: e.kind, capabilities: [Capability.EMBEDDINGS], inputModalities: ["text"], outputModalities: ["embedding"] };
  if (e.kind === "transcription") return { ...base, kind: e.kind, capabilities: [Capability.TRANSCRIPTION], inputModalities: ["audio"], outputModalities: ["transcript"] };
  // Text to speech has no capability of its own in hoosh.v1 yet: the modalities say what it does.
  if (e.kind === "speech") return { ...base, kind: e.kind, capabilities: [], inputModalities: ["text"], outputModalities: ["audio"] };
  const input = e.input ?? [];
  const caps = [Capability.CHAT];
  if (e.tools) caps.push(Capability.TOOLS);
  if (e.json_schema) caps.push(Capability.JSON_SCHEMA);
  if (input.includes("image")) caps.push(Capability.VISION);
  if (input.includes("audio")) caps.push(Capability.AUDIO);
  if (e.reasoning) caps.push(Capability.REASONING);
  return { ...base, kind: "chat", capabilities: caps, inputModalities: ["text", ...input], outputModalities: ["text"] };
}

function checkEntry(e: ModelEntry, at: string): void {
  if (typeof e?.match !== "string" || e.match === "") throw new Error(`${at}.match: must be a non-empty glob`);
  if (!KINDS.includes(e.kind)) throw new Error(`${at}.kind: ${JSON.stringify(e.kind)} is not one of ${KINDS.join(", ")}`);
  for (const field of ["context_window", "max_output_tokens"] as const) {
    const v = e[field];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new Error(`${at}.${field}: ${JSON.stringify(v)} must be a whole number >= 0`);
  }
  for (const field of ["tools", "json_schema", "reasoning"] as const) {
    if (e[field] !== undefined && typeof e[field] !== "boolean") throw new Error(`${at}.${field}: ${JSON.stringify(e[field])} must be true or false`);
  }
  if (e.input !== undefined && (!Array.isArray(e.input) || e.input.some((m) => !INPUTS.includes(m)))) {
    throw new Error(`${at}.input: ${JSON.stringify(e.input)} must list only ${INPUTS.join(", ")}`);
  }
}
