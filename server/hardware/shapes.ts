/**
 * Transformer shapes for the KV-cache estimate.
 *
 * From GGUF metadata when a model file is given (<arch>.block_count, .embedding_length,
 * .attention.head_count, .attention.head_count_kv, .attention.key_length / .value_length);
 * otherwise from the parameter count, by the nearest row (in log scale) of this table of typical
 * architectures:
 *
 *   params  like                      layers  hidden  heads  kv heads  head dim  K+V width
 *   0.1B    GPT-2 small               12      768     12     12        64        1536
 *   0.5B    Qwen2.5-0.5B              24      896     14     2         64        256
 *   1B      Llama-3.2-1B              16      2048    32     8         64        1024
 *   3B      Llama-3.2-3B              28      3072    24     8         128       2048
 *   7B      Llama-3-8B, Mistral-7B    32      4096    32     8         128       2048
 *   13B     Llama-2-13B (no GQA)      40      5120    40     40        128       10240
 *   34B     CodeLlama-34B             48      8192    64     8         128       2048
 *   70B     Llama-3-70B               80      8192    64     8         128       2048
 *   405B    Llama-3.1-405B            126     16384   128    8         128       2048
 *
 * "K+V width" is kv heads × (key length + value length): the elements one token adds to the
 * cache per layer. Modern models use grouped-query attention (few kv heads); the 13B row is
 * Llama-2's full multi-head attention, so its cache is 5× wider.
 */

export interface ModelShape {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly kvHeads: number;
  /** Per-head key and value widths (hidden / heads unless the model says otherwise). */
  readonly keyLength: number;
  readonly valueLength: number;
  /** "metadata" or the table row used, e.g. "typical 7B (Llama-3-8B, Mistral-7B)". */
  readonly source: string;
}

interface Row {
  readonly params: number;
  readonly label: string;
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly kvHeads: number;
}

const TYPICAL: readonly Row[] = [
  { params: 0.1e9, label: "0.1B (GPT-2 small)", layers: 12, hidden: 768, heads: 12, kvHeads: 12 },
  { params: 0.5e9, label: "0.5B (Qwen2.5-0.5B)", layers: 24, hidden: 896, heads: 14, kvHeads: 2 },
  { params: 1e9, label: "1B (Llama-3.2-1B)", layers: 16, hidden: 2048, heads: 32, kvHeads: 8 },
  { params: 3e9, label: "3B (Llama-3.2-3B)", layers: 28, hidden: 3072, heads: 24, kvHeads: 8 },
  { params: 7e9, label: "7B (Llama-3-8B, Mistral-7B)", layers: 32, hidden: 4096, heads: 32, kvHeads: 8 },
  { params: 13e9, label: "13B (Llama-2-13B)", layers: 40, hidden: 5120, heads: 40, kvHeads: 40 },
  { params: 34e9, label: "34B (CodeLlama-34B)", layers: 48, hidden: 8192, heads: 64, kvHeads: 8 },
  { params: 70e9, label: "70B (Llama-3-70B)", layers: 80, hidden: 8192, heads: 64, kvHeads: 8 },
  { params: 405e9, label: "405B (Llama-3.1-405B)", layers: 126, hidden: 16384, heads: 128, kvHeads: 8 },
];

/** The typical shape nearest to `parameterCount` (compared in log scale). */
export function typicalShape(parameterCount: number): ModelShape {
  const x = Math.log(Math.max(parameterCount, 1));
  let best = TYPICAL[0]!;
  for (const row of TYPICAL) {
    if (Math.abs(Math.log(row.params) - x) < Math.abs(Math.log(best.params) - x)) best = row;
  }
  const headDim = best.hidden / best.heads;
  return {
    layers: best.layers,
    hidden: best.hidden,
    heads: best.heads,
    kvHeads: best.kvHeads,
    keyLength: headDim,
    valueLength: headDim,
    source: `typical ${best.label}`,
  };
}

/** What a model file says about its shape; any field may be missing. */
export interface ShapeHints {
  readonly layers?: number | undefined;
  readonly hidden?: number | undefined;
  readonly heads?: number | undefined;
  readonly kvHeads?: number | undefined;
  readonly keyLength?: number | undefined;
  readonly valueLength?: number | undefined;
}

/**
 * The shape from metadata when it names at least layers, hidden size and heads; missing kv heads
 * mean no GQA (kv heads = heads). Otherwise the typical shape for the parameter count.
 */
export function resolveShape(parameterCount: number, hints: ShapeHints | undefined): ModelShape {
  const ok = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n > 0;
  if (hints && ok(hints.layers) && ok(hints.hidden) && ok(hints.heads)) {
    const headDim = Math.max(1, Math.floor(hints.hidden / hints.heads));
    return {
      layers: hints.layers,
      hidden: hints.hidden,
      heads: hints.heads,
      kvHeads: ok(hints.kvHeads) ? hints.kvHeads : hints.heads,
      keyLength: ok(hints.keyLength) ? hints.keyLength : headDim,
      valueLength: ok(hints.valueLength) ? hints.valueLength : headDim,
      source: "metadata",
    };
  }
  return typicalShape(parameterCount);
}
