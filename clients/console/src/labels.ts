// Enum values as words (and a CSS class for their colour).
import { BreakerState } from "../../../gen/ts/hoosh/v1/admin_pb.js";
import { HealthState } from "../../../gen/ts/hoosh/v1/models_pb.js";

export function healthWord(h: HealthState): { text: string; cls: string } {
  switch (h) {
    case HealthState.HEALTHY:
      return { text: "healthy", cls: "ok" };
    case HealthState.DEGRADED:
      return { text: "degraded", cls: "warn" };
    case HealthState.UNHEALTHY:
      return { text: "unhealthy", cls: "bad" };
    default:
      return { text: "unknown (no traffic yet)", cls: "muted" };
  }
}

export function breakerWord(b: BreakerState): { text: string; cls: string } {
  switch (b) {
    case BreakerState.OPEN:
      return { text: "open", cls: "bad" };
    case BreakerState.HALF_OPEN:
      return { text: "half-open", cls: "warn" };
    case BreakerState.CLOSED:
      return { text: "closed", cls: "ok" };
    default:
      return { text: "—", cls: "muted" };
  }
}
