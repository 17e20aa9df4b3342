// REST transcoding of the native API (google.api.http), as grpc-gateway and
// Envoy do it, on the same port: every RPC with an http rule answers REST/JSON
// under /hoosh/v1/. Rules are read and compiled once here; each request is
// matched, turned into the request message and sent to the SAME handlers in
// memory (createRouterTransport over the app's routes), so interceptors and
// validation apply exactly as for gRPC/Connect callers.
import { createRegistry, type DescFile, type DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import type { RestHandler } from "../handler.js";
import { compileBindings, type Binding } from "./bindings.js";
import { writeHttpError } from "./respond.js";
import { serveBinding, type ClientMethod, type ServeContext } from "./serve.js";
import { httpError } from "./status.js";
import { RouteTable, type Lookup } from "./table.js";

export interface TranscoderOptions {
  /** The app's Connect routes (app.routes). */
  routes: (router: ConnectRouter) => void;
  /** Services whose google.api.http rules to serve (the hoosh.v1 services). */
  services: DescService[];
  /** Largest request body accepted (server.max_body_bytes); larger ones get 413. */
  maxBodyBytes: number;
  /** Interceptors the Connect adapter runs, so REST calls pass them too (none today). */
  interceptors?: Interceptor[];
  /** The adapter's shutdownSignal: when it aborts, calls in flight end (UNAVAILABLE), as RPCs do. */
  shutdownSignal?: AbortSignal;
}

export function createTranscoder(options: TranscoderOptions): RestHandler {
  const table = new RouteTable(compileBindings(options.services));
  const registry = createRegistry(...filesOf(options.services));
  const transport = createRouterTransport(options.routes, {
    router: { interceptors: options.interceptors ?? [], shutdownSignal: options.shutdownSignal },
  });
  const clients = new Map(options.services.map((s) => [s, createClient(s, transport) as unknown as Record<string, ClientMethod>]));
  const ctx: ServeContext = {
    registry,
    maxBodyBytes: options.maxBodyBytes,
    clientMethod(binding: Binding) {
      const method = clients.get(binding.service)?.[binding.method.localName];
      if (!method) throw new ConnectError(`no client for ${binding.service.typeName}.${binding.method.name}`, Code.Internal);
      return method;
    },
  };

  return async (req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    let lookup: Lookup;
    try {
      lookup = table.find(req.method ?? "GET", q < 0 ? url : url.slice(0, q));
    } catch (err) {
      writeHttpError(res, httpError(err, registry));
      return true;
    }
    if (lookup.kind === "none") return false;
    if (lookup.kind === "method-not-allowed") {
      const allow = lookup.allow.join(", ");
      const err = new ConnectError(`method ${req.method} is not allowed here; use ${allow}`, Code.Unimplemented);
      writeHttpError(res, httpError(err, registry, 405), { allow });
      return true;
    }
    await serveBinding(ctx, lookup.binding, lookup.values, q < 0 ? "" : url.slice(q + 1), req, res);
    return true;
  };
}

/** The services' files and everything they import (for Any in JSON). */
function filesOf(services: readonly DescService[]): DescFile[] {
  const files = new Set<DescFile>();
  const add = (f: DescFile) => {
    if (files.has(f)) return;
    files.add(f);
    f.dependencies.forEach(add);
  };
  services.forEach((s) => add(s.file));
  return [...files];
}

export { compileBindings, BindingError, type Binding } from "./bindings.js";
export { compileTemplate, matchTemplate, splitPath, TemplateError, type PathTemplate } from "./template.js";
