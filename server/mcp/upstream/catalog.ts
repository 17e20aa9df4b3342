// What one MCP server offers, listed at connect and again on its list_changed
// notifications: tools, resources, resource templates and prompts, every page.
// Entries are kept as the server sent them (unknown fields included, so hoosh
// relays what it does not know yet); entries without a usable name are dropped.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Prompt, Resource, ResourceTemplate, ServerCapabilities, Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

/** Results are taken as sent: only the fields hoosh uses are checked, by hand. */
export const LOOSE = z.looseObject({});
/** A server that pages forever is cut off here. */
const MAX_PAGES = 100;

export type CatalogKind = "tools" | "resources" | "prompts";

export interface Catalog {
  tools: Tool[];
  resources: Resource[];
  templates: ResourceTemplate[];
  prompts: Prompt[];
}

export const EMPTY_CATALOG: Catalog = { tools: [], resources: [], templates: [], prompts: [] };

async function listAll<T>(client: Client, method: string, field: string, valid: (e: Record<string, unknown>) => boolean, timeout: number): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const params = cursor === undefined ? {} : { cursor };
    const result = (await client.request({ method, params } as never, LOOSE, { timeout })) as Record<string, unknown>;
    const items = result[field];
    if (Array.isArray(items)) for (const e of items) if (typeof e === "object" && e !== null && valid(e as Record<string, unknown>)) out.push(e as T);
    cursor = typeof result.nextCursor === "string" && result.nextCursor !== "" ? result.nextCursor : undefined;
    if (cursor === undefined) break;
  }
  return out;
}

const named = (e: Record<string, unknown>) => typeof e.name === "string" && e.name !== "";
const tool = (e: Record<string, unknown>) => named(e) && typeof e.inputSchema === "object" && e.inputSchema !== null;
const resource = (e: Record<string, unknown>) => typeof e.uri === "string" && e.uri !== "";
const template = (e: Record<string, unknown>) => typeof e.uriTemplate === "string" && e.uriTemplate !== "";

/** Lists one kind (tools; resources with templates; prompts) if the server has that capability. */
export async function fetchKind(client: Client, kind: CatalogKind, caps: ServerCapabilities | undefined, timeout: number): Promise<Partial<Catalog>> {
  switch (kind) {
    case "tools":
      return { tools: caps?.tools ? await listAll<Tool>(client, "tools/list", "tools", tool, timeout) : [] };
    case "prompts":
      return { prompts: caps?.prompts ? await listAll<Prompt>(client, "prompts/list", "prompts", named, timeout) : [] };
    case "resources":
      if (!caps?.resources) return { resources: [], templates: [] };
      return {
        resources: await listAll<Resource>(client, "resources/list", "resources", resource, timeout),
        templates: await listAll<ResourceTemplate>(client, "resources/templates/list", "resourceTemplates", template, timeout).catch(() => []),
      };
  }
}

export async function fetchCatalog(client: Client, timeout: number): Promise<Catalog> {
  const caps = client.getServerCapabilities();
  const parts = await Promise.all((["tools", "resources", "prompts"] as const).map((k) => fetchKind(client, k, caps, timeout)));
  return { ...EMPTY_CATALOG, ...Object.assign({}, ...parts) } as Catalog;
}
