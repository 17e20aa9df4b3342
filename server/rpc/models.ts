// ModelsService over the model catalog.
import type { ServiceImpl } from "@connectrpc/connect";
import { Capability, type ModelsService } from "../../gen/ts/hoosh/v1/models_pb.js";
import { invalidArgument } from "../core/errors.js";
import type { ModelCatalog } from "../core/model-catalog.js";

export function createModelsService(catalog: ModelCatalog): ServiceImpl<typeof ModelsService> {
  return {
    async listModels(req, ctx) {
      if (!(req.capability in Capability)) {
        throw invalidArgument("capability", `${req.capability} is not a known capability`);
      }
      let models = await catalog.list(ctx.signal);
      if (req.provider) models = models.filter((m) => m.provider === req.provider);
      if (req.capability !== Capability.UNSPECIFIED) models = models.filter((m) => m.capabilities.includes(req.capability));
      return { models };
    },
    async getModel(req, ctx) {
      if (!req.id) throw invalidArgument("id", "is required");
      return { model: await catalog.get(req.id, ctx.signal) };
    },
  };
}
