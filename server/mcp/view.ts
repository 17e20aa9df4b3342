// The hub's catalog as callers see it, rebuilt when a server's lists change:
// tools and prompts under unique exposed names (names.ts), resources and
// templates under their own URIs with namespaced names. Only ready servers
// count; a server's tools/deny_tools filter applies to its tools.
import type { Prompt, Resource, ResourceTemplate, Tool } from "@modelcontextprotocol/sdk/types.js";
import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import type { NameFilter } from "./allowlist.js";
import { assignNames } from "./names.js";
import type { LogFn, Upstream } from "./upstream/upstream.js";

export interface Exposed<T> {
  /** The exposed name. */
  name: string;
  server: string;
  /** The name on its server. */
  original: string;
  item: T;
}

export interface ExposedTemplate extends Exposed<ResourceTemplate> {
  match(uri: string): boolean;
}

export interface View {
  tools: Map<string, Exposed<Tool>>;
  prompts: Map<string, Exposed<Prompt>>;
  resources: Exposed<Resource>[];
  templates: ExposedTemplate[];
}

export function buildView(
  servers: readonly Upstream[],
  order: readonly string[],
  namespaceOf: (server: string) => string,
  serves: (server: string) => NameFilter,
  log: LogFn,
): View {
  const tools: { server: string; namespace: string; original: string; item: Tool }[] = [];
  const prompts: { server: string; namespace: string; original: string; item: Prompt }[] = [];
  const resources: Exposed<Resource>[] = [];
  const templates: ExposedTemplate[] = [];
  for (const u of servers) {
    if (u.state !== "ready") continue;
    const namespace = namespaceOf(u.name);
    const filter = serves(u.name);
    for (const t of u.catalog.tools) if (filter(t.name)) tools.push({ server: u.name, namespace, original: t.name, item: t });
    for (const p of u.catalog.prompts) prompts.push({ server: u.name, namespace, original: p.name, item: p });
    const prefix = namespace === "" ? "" : `${namespace}.`;
    for (const r of u.catalog.resources) resources.push({ name: `${prefix}${r.name}`, server: u.name, original: r.name, item: r });
    for (const t of u.catalog.templates) {
      let matcher: UriTemplate | undefined;
      try {
        matcher = new UriTemplate(t.uriTemplate);
      } catch {
        matcher = undefined;
      }
      templates.push({ name: `${prefix}${t.name}`, server: u.name, original: t.name, item: t, match: (uri) => matcher?.match(uri) != null });
    }
  }
  const namedTools = assignNames(tools, order);
  const namedPrompts = assignNames(prompts, order);
  for (const r of [...namedTools.renamed, ...namedPrompts.renamed]) log("warn", "MCP name taken; exposed under another name", r);
  return {
    tools: new Map([...namedTools.byName].map(([n, e]) => [n, { name: n, server: e.server, original: e.original, item: e.item }])),
    prompts: new Map([...namedPrompts.byName].map(([n, e]) => [n, { name: n, server: e.server, original: e.original, item: e.item }])),
    resources,
    templates,
  };
}
