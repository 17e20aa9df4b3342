/**
 * Provider presets: `preset = "groq"` in a [[providers]] entry fills in the
 * wire protocol and base URL of a known vendor or local server, and selects the
 * adapter quirks it needs. Presets are configuration of the shared adapters,
 * not copies of them. Explicit keys in the entry win over the preset's.
 */
export interface Preset {
  type: "openai" | "anthropic" | "gemini" | "ollama" | "bedrock" | "vertex";
  /** Unset where the adapter derives it (bedrock from `region`, vertex from `location`). */
  base_url?: string;
  /** openai adapter: the field carrying the output limit ("max_completion_tokens" for OpenAI's own API). */
  max_tokens_field?: "max_tokens" | "max_completion_tokens";
  /** openai adapter: whether the server accepts stream_options.include_usage. */
  stream_usage?: boolean;
  /** openai adapter: whether the server takes top_k (OpenAI's own API does not). */
  top_k?: boolean;
}

export const PRESETS = {
  openai: { type: "openai", base_url: "https://api.openai.com/v1", max_tokens_field: "max_completion_tokens" },
  groq: { type: "openai", base_url: "https://api.groq.com/openai/v1" },
  deepseek: { type: "openai", base_url: "https://api.deepseek.com/v1" },
  mistral: { type: "openai", base_url: "https://api.mistral.ai/v1" },
  xai: { type: "openai", base_url: "https://api.x.ai/v1" },
  openrouter: { type: "openai", base_url: "https://openrouter.ai/api/v1", top_k: true },
  together: { type: "openai", base_url: "https://api.together.xyz/v1", top_k: true },
  fireworks: { type: "openai", base_url: "https://api.fireworks.ai/inference/v1", top_k: true },
  vllm: { type: "openai", base_url: "http://127.0.0.1:8000/v1", top_k: true },
  llamacpp: { type: "openai", base_url: "http://127.0.0.1:8080/v1", top_k: true },
  lmstudio: { type: "openai", base_url: "http://127.0.0.1:1234/v1", top_k: true },
  // LocalAI rejects stream_options on some backends; usage then comes from counting.
  localai: { type: "openai", base_url: "http://127.0.0.1:8080/v1", stream_usage: false, top_k: true },
  anthropic: { type: "anthropic", base_url: "https://api.anthropic.com/v1" },
  gemini: { type: "gemini", base_url: "https://generativelanguage.googleapis.com/v1beta" },
  ollama: { type: "ollama", base_url: "http://127.0.0.1:11434" },
  // Cloud endpoints follow from region / location; Azure's is per resource, so it has no preset.
  bedrock: { type: "bedrock" },
  vertex: { type: "vertex" },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/**
 * Fills `type` and `base_url` of preset entries in the raw (pre-validation)
 * tree, so validation sees complete entries and reports the usual key paths.
 * Unknown preset names are left for the schema to report.
 */
export function applyPresets(tree: unknown): unknown {
  if (typeof tree !== "object" || tree === null) return tree;
  const providers = (tree as { providers?: unknown }).providers;
  if (!Array.isArray(providers)) return tree;
  const filled = providers.map((entry: unknown) => {
    if (typeof entry !== "object" || entry === null) return entry;
    const name = (entry as { preset?: unknown }).preset;
    if (typeof name !== "string" || !Object.hasOwn(PRESETS, name)) return entry;
    const preset: Preset = PRESETS[name as PresetName];
    return { type: preset.type, ...(preset.base_url !== undefined ? { base_url: preset.base_url } : {}), ...entry };
  });
  return { ...tree, providers: filled };
}
