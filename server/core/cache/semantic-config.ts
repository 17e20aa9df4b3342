// The semantic cache as [cache] configures it: on when semantic_model names an embedding model.
import type { ConnectError } from "@connectrpc/connect";
import type { Config } from "../../config/schema.js";
import type { SemanticLookup } from "./semantic-step.js";
import { SemanticCache } from "./semantic.js";

type Log = (level: "warn", msg: string, fields: Record<string, unknown>) => void;

/** The embedding model of the semantic cache; undefined when it is off. */
export function semanticModelOf(cache: Config["cache"]): string | undefined {
  return cache.mode === "off" ? undefined : cache.semantic_model;
}

export function semanticLookup(cache: Config["cache"], log: Log): SemanticLookup | undefined {
  const model = semanticModelOf(cache);
  if (model === undefined) return undefined;
  return {
    cache: new SemanticCache({ threshold: cache.semantic_threshold, maxEntries: cache.semantic_max_entries }),
    model,
    onError: (err: ConnectError) => log("warn", "semantic cache: the question could not be embedded; asking upstream", { model, error: err.rawMessage }),
  };
}
