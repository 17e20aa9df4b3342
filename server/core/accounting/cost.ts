/**
 * Cost of one usage record in integer micro-USD.
 *
 * Prices are USD per 1M tokens, which is exactly micro-USD per token. They are
 * held as integers scaled by PRICE_SCALE (6 decimals), so
 *   cost = round_half_up(Σ tokens_i × scaledPrice_i / PRICE_SCALE)
 * is pure integer math: plain numbers while the sum stays below 2^53 (every
 * realistic request), BigInt past that.
 */
export const PRICE_SCALE = 1_000_000;

/** Prices of one model, scaled: micro-USD per token × PRICE_SCALE. */
export interface ScaledPrice {
  readonly input: number;
  readonly cachedInput: number;
  readonly output: number;
  /** Audio tokens' price; undefined: audio tokens are charged as the text they are part of. */
  readonly audio?: number | undefined;
  /** Prompt-cache writes' price (Anthropic cache_creation); undefined: charged as input. */
  readonly cacheWrite?: number | undefined;
}

export const FREE: ScaledPrice = { input: 0, cachedInput: 0, output: 0 };

/** Token counts as a hoosh.v1 Usage holds them (cached ⊆ input; cache writes ⊆ uncached input; reasoning ⊆ output; audio ⊆ input + output). */
export interface TokenCounts {
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  readonly audioTokens?: number | undefined;
  readonly cacheWriteInputTokens?: number | undefined;
}

/** USD per 1M tokens → scaled integer; rejects more than 6 decimals or a negative price. */
export function scalePrice(usdPerMillion: number, what: string): number {
  const scaled = Math.round(usdPerMillion * PRICE_SCALE);
  if (!Number.isFinite(usdPerMillion) || usdPerMillion < 0 || Math.abs(scaled - usdPerMillion * PRICE_SCALE) > 1e-3) {
    throw new Error(`${what}: ${usdPerMillion} is not a price in USD per 1M tokens with at most 6 decimals (>= 0)`);
  }
  return scaled;
}

/**
 * input_uncached × input + cached × cached_input + output × output, in micro-USD.
 * With a cache-write price, prompt-cache writes are taken out of the uncached
 * input and charged at it. With an audio price, audio tokens are taken out of
 * the uncached input first (then out of output) and charged at the audio price instead.
 */
export function costMicros(usage: TokenCounts, price: ScaledPrice): number {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  let uncached = usage.inputTokens - cached;
  const written = price.cacheWrite === undefined ? 0 : Math.min(usage.cacheWriteInputTokens ?? 0, uncached);
  uncached -= written;
  let output = usage.outputTokens;
  let audio = 0;
  if (price.audio !== undefined && usage.audioTokens) {
    audio = Math.min(usage.audioTokens, uncached + output);
    const fromInput = Math.min(audio, uncached);
    uncached -= fromInput;
    output -= audio - fromInput;
  }
  const sum = uncached * price.input + cached * price.cachedInput + output * price.output + audio * (price.audio ?? 0) + written * (price.cacheWrite ?? 0);
  if (sum <= Number.MAX_SAFE_INTEGER) {
    const rest = sum % PRICE_SCALE;
    return (sum - rest) / PRICE_SCALE + (rest * 2 >= PRICE_SCALE ? 1 : 0);
  }
  const big =
    BigInt(uncached) * BigInt(price.input) +
    BigInt(cached) * BigInt(price.cachedInput) +
    BigInt(output) * BigInt(price.output) +
    BigInt(audio) * BigInt(price.audio ?? 0) +
    BigInt(written) * BigInt(price.cacheWrite ?? 0);
  const scale = BigInt(PRICE_SCALE);
  return Number((big + scale / 2n) / scale);
}
