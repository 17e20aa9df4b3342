// Where each local (in-process) model was placed at startup and the memory it needs, kept for
// operators (AdminService.WatchStats, the console's Providers page). Filled by local-fit.ts.
import type { RecommendPlacementResponse } from "../../gen/ts/hoosh/v1/hardware_pb.js";

export interface LocalPlacement {
  modelPath: string;
  placement: RecommendPlacementResponse;
}

export class LocalPlacements {
  private readonly byProvider = new Map<string, LocalPlacement>();

  set(provider: string, placed: LocalPlacement): void {
    this.byProvider.set(provider, placed);
  }

  /** Undefined for remote providers and until hardware detection has placed the model. */
  get(provider: string): LocalPlacement | undefined {
    return this.byProvider.get(provider);
  }
}
