/**
 * The price table (data/pricing.json): glob patterns over model ids, compiled
 * once with picomatch, first match wins. Lookups are memoised per model id, so
 * the hot path does one Map get. A model no pattern matches costs 0 (local
 * models, unknown ids) and is reported once through onUnknown.
 */
import picomatch from "picomatch";
import defaultTable from "../../../data/pricing.json" with { type: "json" };
import { FREE, scalePrice, type ScaledPrice } from "./cost.js";

export interface PriceEntry {
  match: string;
  /** USD per 1M tokens. */
  input: number;
  cached_input?: number;
  output: number;
  audio?: number;
  /** Prompt-cache writes (Anthropic cache_creation_input_tokens); defaults to input. */
  cache_write?: number;
}

export interface PriceFile {
  models: PriceEntry[];
}

export interface PriceLookup {
  price: ScaledPrice;
  /** The pattern that matched; undefined for unknown models (price 0). */
  pattern?: string | undefined;
}

/** Memo bound: model ids come from callers, so the memo must not grow without limit. */
const MEMO_MAX = 4096;

export class PriceTable {
  private readonly rules: { pattern: string; test: (s: string) => boolean; price: ScaledPrice }[];
  private readonly memo = new Map<string, PriceLookup>();

  /** Throws naming models[i].field on a malformed entry (startup error). */
  constructor(
    file: PriceFile = defaultTable as PriceFile,
    private readonly onUnknown: (model: string) => void = () => {},
  ) {
    if (!Array.isArray(file?.models)) throw new Error("pricing: models must be an array of {match, input, output}");
    this.rules = file.models.map((e, i) => {
      const at = `pricing models[${i}]`;
      if (typeof e.match !== "string" || e.match === "") throw new Error(`${at}.match: must be a non-empty glob`);
      const input = scalePrice(e.input, `${at}.input`);
      const price: ScaledPrice = {
        input,
        cachedInput: e.cached_input === undefined ? input : scalePrice(e.cached_input, `${at}.cached_input`),
        output: scalePrice(e.output, `${at}.output`),
        audio: e.audio === undefined ? undefined : scalePrice(e.audio, `${at}.audio`),
        cacheWrite: e.cache_write === undefined ? undefined : scalePrice(e.cache_write, `${at}.cache_write`),
      };
      return { pattern: e.match, test: picomatch(e.match, { nocase: true }), price };
    });
  }

  /** The price of `model` (its id as routed or as the provider names it). */
  lookup(model: string): PriceLookup {
    const hit = this.memo.get(model);
    if (hit) return hit;
    const found = this.match(model);
    if (this.memo.size >= MEMO_MAX) this.memo.clear();
    this.memo.set(model, found);
    if (!found.pattern && model !== "") this.onUnknown(model);
    return found;
  }

  /** The served model's price; the requested model's when the served id has no price. */
  forServed(served: string, requested: string): ScaledPrice {
    const hit = this.lookup(served);
    return hit.pattern || served === requested ? hit.price : this.lookup(requested).price;
  }

  private match(model: string): PriceLookup {
    const slash = model.lastIndexOf("/");
    const candidates = slash >= 0 ? [model, model.slice(slash + 1)] : [model];
    for (const rule of this.rules) {
      if (candidates.some((c) => rule.test(c))) return { price: rule.price, pattern: rule.pattern };
    }
    return { price: FREE };
  }
}
