// Finds the binding for a request: the most specific template that matches the
// path with the request's method; when the path matches only with other
// methods, the methods to list in Allow (405). Paths whose first segment no
// binding starts with are rejected before any decoding.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Binding } from "./bindings.js";
import { matchTemplate, splitPath } from "./template.js";

export type Lookup =
  | { kind: "found"; binding: Binding; values: string[] }
  | { kind: "method-not-allowed"; allow: string[] }
  | { kind: "none" };

export class RouteTable {
  /** First literal segments of all templates (every binding starts with a literal: bindings.ts checks it). */
  private readonly firstSegments: Set<string>;

  /** bindings: most specific first (as compileBindings returns them). */
  constructor(readonly bindings: readonly Binding[]) {
    this.firstSegments = new Set(bindings.map((b) => (b.template.tokens[0]?.kind === "literal" ? b.template.tokens[0].value : "")));
  }

  /** rawPath: the request path without the query. Throws InvalidArgument on bad percent-encoding in our paths. */
  find(method: string, rawPath: string): Lookup {
    const end = rawPath.indexOf("/", 1);
    if (!this.firstSegments.has(rawPath.slice(1, end < 0 ? undefined : end))) return { kind: "none" };
    let segments: string[];
    try {
      segments = splitPath(rawPath);
    } catch {
      throw new ConnectError(`path: ${JSON.stringify(rawPath)} has malformed percent-encoding`, Code.InvalidArgument);
    }
    const allow = new Set<string>();
    for (const binding of this.bindings) {
      const values = matchTemplate(binding.template, segments);
      if (!values) continue;
      if (binding.httpMethod === method) return { kind: "found", binding, values };
      allow.add(binding.httpMethod);
    }
    return allow.size > 0 ? { kind: "method-not-allowed", allow: [...allow].sort() } : { kind: "none" };
  }
}
