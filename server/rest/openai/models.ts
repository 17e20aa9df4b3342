// GET /v1/models and GET /v1/models/{id}: the core's model catalog as
// OpenAI model objects (owned_by: the provider that serves the model). With an
// API key, only the models it may use, as ModelsService shows them.
import type { Model } from "../../../gen/ts/hoosh/v1/models_pb.js";
import { modelDenied } from "../../auth/authorize.js";
import type * as wire from "../../providers/openai/wire.js";
import type { Exchange } from "../exchange.js";
import type { RestDeps } from "../handler.js";

const modelJson = (m: Model): wire.ModelObject => ({ id: m.id, object: "model", created: 0, owned_by: m.provider });

const allowed = (ex: Exchange, id: string): boolean => ex.call.key?.allowsModel?.(id) ?? true;

export async function listModels(ex: Exchange, deps: RestDeps): Promise<void> {
  const models = await deps.catalog.list(ex.call.signal);
  // A model several providers serve is listed once (OpenAI's ids are unique).
  const seen = new Set<string>();
  const data = models.filter((m) => allowed(ex, m.id) && !seen.has(m.id) && seen.add(m.id)).map(modelJson);
  const list: wire.ModelList = { object: "list", data };
  ex.json(200, list);
}

export async function retrieveModel(ex: Exchange, deps: RestDeps, id: string): Promise<void> {
  if (ex.call.key && !allowed(ex, id)) throw modelDenied(ex.call.key, id);
  ex.json(200, modelJson(await deps.catalog.get(id, ex.call.signal)));
}
