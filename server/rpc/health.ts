import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ConnectRouter, HandlerContext, ServiceImpl } from "@connectrpc/connect";

import {
  Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as WireStatus,
} from "../../gen/ts/grpc/health/v1/health_pb.js";
import type { HealthCheckRequest, HealthCheckResponse } from "../../gen/ts/grpc/health/v1/health_pb.js";
import type { HealthStatus, ServingStatus } from "../core/health-status.js";

// Same cap as grpc-go's List: the reply must stay small enough for a probe.
const MAX_LISTED_SERVICES = 100;

const toWire: Record<ServingStatus, WireStatus> = {
  UNKNOWN: WireStatus.UNKNOWN,
  SERVING: WireStatus.SERVING,
  NOT_SERVING: WireStatus.NOT_SERVING,
};

function response(status: WireStatus): HealthCheckResponse {
  return create(HealthCheckResponseSchema, { status });
}

/** grpc.health.v1.Health answered from a HealthStatus (semantics of grpc's reference servers). */
export function createHealthService(health: HealthStatus): ServiceImpl<typeof Health> {
  return {
    check(req: HealthCheckRequest): HealthCheckResponse {
      const status = health.get(req.service);
      if (status === undefined) throw new ConnectError("unknown service", Code.NotFound);
      return response(toWire[status]);
    },

    list() {
      const entries = health.entries();
      if (entries.length > MAX_LISTED_SERVICES) {
        throw new ConnectError(
          `server health list exceeds maximum capacity: ${MAX_LISTED_SERVICES}`,
          Code.ResourceExhausted,
        );
      }
      return { statuses: Object.fromEntries(entries.map(([name, s]) => [name, response(toWire[s])])) };
    },

    watch(req: HealthCheckRequest, ctx: HandlerContext): AsyncIterable<HealthCheckResponse> {
      return watchStatus(health, req.service, ctx.signal);
    },
  };
}

/**
 * Sends the current status, then every change, until the call is aborted.
 * Only the latest unsent status is kept, so a slow client cannot make the
 * server buffer a backlog (grpc-go does the same).
 */
async function* watchStatus(
  health: HealthStatus,
  service: string,
  signal: AbortSignal,
): AsyncGenerator<HealthCheckResponse> {
  let pending: ServingStatus | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = health.subscribe(service, (status) => {
    pending = status;
    wake?.();
  });
  // Abort must also wake the loop: a generator parked in `await` cannot be
  // stopped by return(), and that would leak the listener.
  const onAbort = (): void => wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    const current = health.get(service);
    let last: WireStatus = current === undefined ? WireStatus.SERVICE_UNKNOWN : toWire[current];
    yield response(last);
    while (!signal.aborted) {
      if (pending === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      const next = toWire[pending];
      pending = undefined;
      if (next !== last) {
        last = next;
        yield response(next);
      }
    }
  } finally {
    unsubscribe();
    signal.removeEventListener("abort", onAbort);
  }
}

/** Registers grpc.health.v1.Health on a Connect router. */
export function registerHealth(router: ConnectRouter, health: HealthStatus): ConnectRouter {
  return router.service(Health, createHealthService(health));
}
