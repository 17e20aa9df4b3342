// The semantic cache as [cache] configures it: on when semantic_model names an embedding model.
import type { ConnectError } from "@connectrpc/connect";
import type { Config } from "../../config/schema.js";
import type { SemanticLookup } from "./semantic-step.js";
import { SemanticCache } from "./semantic.js";

type Log = (level: "warn", msg: string, fields: Record<string, unknown>) => void;

export function semanticLookup(cache: Config["cache"], log: Log): SemanticLookup | undefined {
  if (cache.mode === "off" || cache.semantic_model === undefined) return undefined;
  const model = cache.semantic_model;
  return {
    cache: new SemanticCache({ threshold: cache.semantic_threshold, maxEntries: cache.semantic_max_entries }),
    model,
    onError: (err: ConnectError) => log("warn", "semantic cache: the question could not be embedded; asking upstream", { model, error: err.rawMessage }),
  };
}
