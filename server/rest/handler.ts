// The HTTP edges that are not Connect RPCs (OpenAI and Anthropic JSON,
// google.api.http transcoding) share this shape: each looks at a request and
// either answers it or passes, and the chain ends in notFoundFallback.
import type { ConnectNodeAdapterOptions } from "@connectrpc/connect-node";
import type { Inference } from "../core/inference.js";
import type { ModelCatalog } from "../core/model-catalog.js";
import type { Speech } from "../core/speech.js";
import type { Transcription } from "../core/transcribe.js";

type Fallback = NonNullable<ConnectNodeAdapterOptions["fallback"]>;
/** connect-node's request/response types (HTTP/1.1 or HTTP/2), which it does not export by name. */
export type HttpRequest = Parameters<Fallback>[0];
export type HttpResponse = Parameters<Fallback>[1];

/** Resolves true when it answered the request, false to let the next edge try. */
export type RestHandler = (req: HttpRequest, res: HttpResponse) => Promise<boolean>;

/** What REST edges may use: the same core the RPC services use. */
export interface RestDeps {
  inference: Inference;
  catalog: ModelCatalog;
  transcription: Transcription;
  /** Text to speech (/v1/audio/speech); absent in apps built without it. */
  speech?: Speech;
  /** Largest request body accepted (server.max_body_bytes). */
  maxBodyBytes: number;
  /** server.request_timeout_ms, as for RPCs. */
  requestTimeoutMs: number;
}

/** Runs the edges in order; the last resort answers what none took. */
export function chain(handlers: RestHandler[], last: (req: HttpRequest, res: HttpResponse) => void): (req: HttpRequest, res: HttpResponse) => void {
  return (req, res) => {
    void (async () => {
      for (const handle of handlers) if (await handle(req, res)) return;
      last(req, res);
    })().catch((err: unknown) => {
      // A bug in an edge must not take the process down; answer 500 if we still can.
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `internal error: ${err instanceof Error ? err.message : String(err)}`, type: "server_error" } }));
      } else res.destroy();
    });
  };
}
