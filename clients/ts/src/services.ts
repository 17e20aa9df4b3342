// The hoosh.v1 service clients over one transport.
import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { AdminService } from "../../../gen/ts/hoosh/v1/admin_pb.js";
import { BudgetService } from "../../../gen/ts/hoosh/v1/budget_pb.js";
import { HardwareService } from "../../../gen/ts/hoosh/v1/hardware_pb.js";
import { InferenceService } from "../../../gen/ts/hoosh/v1/inference_pb.js";
import { KeysService } from "../../../gen/ts/hoosh/v1/keys_pb.js";
import { ModelsService } from "../../../gen/ts/hoosh/v1/models_pb.js";
import { RequestLogService } from "../../../gen/ts/hoosh/v1/requests_pb.js";
import { SpeechService } from "../../../gen/ts/hoosh/v1/speech_pb.js";
import { TranscribeService } from "../../../gen/ts/hoosh/v1/transcribe_pb.js";

export type Protocol = "grpc" | "connect" | "grpc-web";

export interface HooshClientOptions {
  /** e.g. "http://127.0.0.1:8088". */
  baseUrl: string;
  /** Sent as `authorization: Bearer <key>` on every call. */
  apiKey?: string;
  /** Default: "grpc" on Node, "connect" in browsers. */
  protocol?: Protocol;
  /** Deadline for calls that set no timeoutMs of their own. Default 60 s; 0 = none. */
  defaultTimeoutMs?: number;
}

export interface HooshClient {
  inference: Client<typeof InferenceService>;
  models: Client<typeof ModelsService>;
  transcribe: Client<typeof TranscribeService>;
  /** Synthesize: text to speech, the audio as a stream of chunks. */
  speech: Client<typeof SpeechService>;
  budget: Client<typeof BudgetService>;
  hardware: Client<typeof HardwareService>;
  /** ReloadConfig, VerifyAuditLog (admin scope) and WatchStats (admin or budgets:read). */
  admin: Client<typeof AdminService>;
  /** API keys and teams (admin scope). */
  keys: Client<typeof KeysService>;
  /** The request log: ListRequests, TailRequests (admin scope). */
  requests: Client<typeof RequestLogService>;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

export function authInterceptors(apiKey: string | undefined): Interceptor[] {
  if (!apiKey) return [];
  return [
    (next) => (req) => {
      req.header.set("authorization", `Bearer ${apiKey}`);
      return next(req);
    },
  ];
}

/**
 * Leaving a `for await` loop early (break, return, throw) cancels the call, so
 * hoosh stops the upstream generation: connect's own client does not do that
 * unless a signal is passed.
 */
function cancelOnBreak(inference: Client<typeof InferenceService>): Client<typeof InferenceService> {
  const generateStream: Client<typeof InferenceService>["generateStream"] = (request, options) => {
    const controller = new AbortController();
    const signal = options?.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    const stream = inference.generateStream(request, { ...options, signal });
    return (async function* () {
      try {
        yield* stream;
      } finally {
        controller.abort();
      }
    })();
  };
  return { ...inference, generateStream };
}

export function clientsOver(transport: Transport): HooshClient {
  return {
    inference: cancelOnBreak(createClient(InferenceService, transport)),
    models: createClient(ModelsService, transport),
    transcribe: createClient(TranscribeService, transport),
    speech: createClient(SpeechService, transport),
    budget: createClient(BudgetService, transport),
    hardware: createClient(HardwareService, transport),
    admin: createClient(AdminService, transport),
    keys: createClient(KeysService, transport),
    requests: createClient(RequestLogService, transport),
  };
}
