// The HTTP edges that are not Connect RPCs (OpenAI and Anthropic JSON,
// google.api.http transcoding) share this shape: each looks at a request and
// either answers it or passes, and the chain ends in notFoundFallback.
import type { ConnectNodeAdapterOptions } from "@connectrpc/connect-node";
import type { Inference } from "../core/inference.js";
import type { ModelCatalog } from "../core/model-catalog.js";
import type { Speech } from "../core/speech.js";
import type { Transcription } from "../core/transcribe.js";
import type { CallContext } from "../providers/provider.js";

type KeyIdentity = NonNullable<CallContext["key"]>;

type Fallback = NonNullable<ConnectNodeAdapterOptions["fallback"]>;
/** connect-node's request/response types (HTTP/1.1 or HTTP/2), which it does not export by name. */
export type HttpRequest = Parameters<Fallback>[0];
export type HttpResponse = Parameters<Fallback>[1];

/** What earlier edges in the chain learned about one request, for the later ones (made per request by chain()). */
export interface EdgeState {
  /** The key the auth gate authenticated (auth/rest.ts); undefined when auth is off. */
  key?: KeyIdentity & { readonly id: string };
}

/** Resolves true when it answered the request, false to let the next edge try. */
export type RestHandler = (req: HttpRequest, res: HttpResponse, state: EdgeState) => Promise<boolean>;

/** What REST edges may use: the same core the RPC services use. */
export interface RestDeps {
  inference: Pick<Inference, "generate" | "generateStream" | "embed">;
  catalog: ModelCatalog;
  transcription: Pick<Transcription, "transcribe">;
  /** Text to speech (/v1/audio/speech); absent in apps built without it. */
  speech?: Pick<Speech, "synthesize">;
  /** Largest request body accepted (server.max_body_bytes). */
  maxBodyBytes: number;
  /** server.request_timeout_ms, as for RPCs. */
  requestTimeoutMs: number;
}

/** Runs the edges in order; the last resort answers what none took. */
export function chain(handlers: RestHandler[], last: (req: HttpRequest, res: HttpResponse) => void): (req: HttpRequest, res: HttpResponse) => void {
  return (req, res) => {
    const state: EdgeState = {};
    void (async () => {
      for (const handle of handlers) if (await handle(req, res, state)) return;
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
