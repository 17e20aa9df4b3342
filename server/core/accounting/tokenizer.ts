/**
 * Token counting. OpenAI-family models (gpt-*, o1/o3/o4…, chatgpt-*,
 * text-embedding-*) are counted exactly with gpt-tokenizer's BPE tables
 * (o200k_base; cl100k_base for gpt-4 / gpt-3.5 / older embeddings). Every other
 * model is approximated: ceil(chars / 4), the usual rule of thumb for English.
 *
 * The BPE tables are large (~200 ms to load), so each loads on first use, once
 * per process (warm() starts it early); until then count() awaits it.
 * Special-token text such as "<|endoftext|>" in user input is counted as plain text.
 */
type Count = (text: string, options: { disallowedSpecial: Set<string> }) => number;
export type Encoding = "o200k_base" | "cl100k_base";

const PLAIN = { disallowedSpecial: new Set<string>() };
const OPENAI = /^(?:openai\/)?(?:gpt-|chatgpt-|o\d|text-embedding-|davinci|babbage)/i;
const CL100K = /^(?:openai\/)?(?:gpt-4(?![o.\d])|gpt-4-|gpt-3\.5|text-embedding-(?:3|ada))/i;

/** Which BPE encoding counts this model exactly; undefined: approximate it. */
export function encodingFor(model: string): Encoding | undefined {
  if (!OPENAI.test(model)) return undefined;
  return CL100K.test(model) ? "cl100k_base" : "o200k_base";
}

/** chars / 4, rounded up: the approximation for models without a known tokenizer. */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export class Tokenizer {
  private readonly loaded = new Map<Encoding, Count>();
  private readonly loading = new Map<Encoding, Promise<Count>>();

  /** Starts loading an encoding in the background. */
  warm(encoding: Encoding = "o200k_base"): void {
    this.load(encoding).catch(() => {});
  }

  /** A counter for `model`: exact when its encoding is loaded (loads it if not), approximate otherwise. */
  async counter(model: string): Promise<(text: string) => number> {
    const encoding = encodingFor(model);
    if (!encoding) return approximateTokens;
    const count = this.loaded.get(encoding) ?? (await this.load(encoding));
    return (text) => (text === "" ? 0 : count(text, PLAIN));
  }

  private load(encoding: Encoding): Promise<Count> {
    let p = this.loading.get(encoding);
    if (!p) {
      p = (encoding === "cl100k_base"
        ? import("gpt-tokenizer/encoding/cl100k_base")
        : import("gpt-tokenizer/encoding/o200k_base")
      ).then((m) => {
        const count = m.countTokens as Count;
        this.loaded.set(encoding, count);
        return count;
      });
      this.loading.set(encoding, p);
    }
    return p;
  }
}
