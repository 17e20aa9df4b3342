// All configured MCP servers behind one catalog: tools and prompts under their
// exposed names (names.ts), resources under their own URIs (a URI is the
// resource's identity in MCP; its name is namespaced like a tool's), and the
// events hoosh's /mcp sessions pass on: list changes and resource updates.
// Resource subscriptions are counted across callers and made again on the
// server after it restarts.
import type { Prompt, Resource, Tool } from "@modelcontextprotocol/sdk/types.js";
import type { McpServerConfig } from "../config/schema.js";
import { serverFilter, type NameFilter } from "./allowlist.js";
import type { CatalogKind, Catalog } from "./upstream/catalog.js";
import { LOOSE } from "./upstream/catalog.js";
import { Upstream, type LogFn } from "./upstream/upstream.js";
import { buildView, type Exposed, type ExposedTemplate, type View } from "./view.js";

export type { Exposed, ExposedTemplate } from "./view.js";

export interface HubDeps {
  log: LogFn;
  clientInfo: { name: string; version: string };
}

type ChangeListener = (kinds: ReadonlySet<CatalogKind>) => void;
type UpdateListener = (server: string, uri: string) => void;

export class McpHub {
  private readonly upstreams = new Map<string, Upstream>();
  private readonly filters = new Map<string, NameFilter>();
  private readonly order: string[];
  private view?: View;
  private readonly seen = new Map<string, Catalog>();
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly updateListeners = new Set<UpdateListener>();
  private readonly subscriptions = new Map<string, number>();
  private readonly killOnExit = () => this.killChildren();

  constructor(
    configs: readonly McpServerConfig[],
    private readonly deps: HubDeps,
  ) {
    const enabled = configs.filter((c) => c.enabled);
    this.order = enabled.map((c) => c.name);
    for (const c of enabled) {
      this.filters.set(c.name, serverFilter(c.tools, c.deny_tools));
      this.upstreams.set(
        c.name,
        new Upstream(c, {
          clientInfo: deps.clientInfo,
          log: deps.log,
          onChange: (server) => this.changed(server),
          onResourceUpdated: (server, uri) => this.updateListeners.forEach((l) => l(server, uri)),
        }),
      );
    }
  }

  /** Connects every server (in the background); resolves once each first attempt ended. */
  start(): Promise<void> {
    if (this.upstreams.size > 0) process.once("exit", this.killOnExit);
    return Promise.all([...this.upstreams.values()].map((u) => u.start())).then(() => undefined);
  }

  get servers(): Upstream[] {
    return [...this.upstreams.values()];
  }

  upstream(name: string): Upstream | undefined {
    return this.upstreams.get(name);
  }

  namespaceOf(server: string): string {
    const c = this.upstreams.get(server)?.config;
    return c?.namespace ?? c?.name ?? server;
  }

  tools(): Exposed<Tool>[] {
    return [...this.current().tools.values()];
  }

  tool(name: string): Exposed<Tool> | undefined {
    return this.current().tools.get(name);
  }

  prompts(): Exposed<Prompt>[] {
    return [...this.current().prompts.values()];
  }

  prompt(name: string): Exposed<Prompt> | undefined {
    return this.current().prompts.get(name);
  }

  resources(): Exposed<Resource>[] {
    return this.current().resources;
  }

  templates(): ExposedTemplate[] {
    return this.current().templates;
  }

  /**
   * The server to read `uri` from, among those `allowed` (by exposed name): a listed
   * resource first, then a matching template (servers in config order); an unlisted URI
   * goes to the one server with resources, when there is only one and the key may use all of it.
   */
  resolveResource(uri: string, allowed: NameFilter): { server: string; name?: string } | undefined {
    const v = this.current();
    const listed = v.resources.find((r) => r.item.uri === uri && allowed(r.name));
    if (listed) return { server: listed.server, name: listed.name };
    const templated = v.templates.find((t) => allowed(t.name) && t.match(uri));
    if (templated) return { server: templated.server, name: templated.name };
    const withResources = this.servers.filter((u) => u.state === "ready" && u.catalog.resources.length + u.catalog.templates.length > 0);
    if (withResources.length === 1 && this.allowsServer(withResources[0]!.name, allowed)) return { server: withResources[0]!.name };
    return undefined;
  }

  /** True when `allowed` grants everything a server exposes ("ns.*" or "*"). */
  allowsServer(server: string, allowed: NameFilter): boolean {
    const ns = this.namespaceOf(server);
    return allowed(ns === "" ? "*" : `${ns}.*`);
  }

  onChange(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onResourceUpdated(listener: UpdateListener): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** Subscribes to `uri` on `server` (the server is asked only for the first subscriber). */
  async subscribe(server: string, uri: string): Promise<void> {
    const k = `${server}\0${uri}`;
    const n = this.subscriptions.get(k) ?? 0;
    if (n === 0) await this.upstreams.get(server)!.request((c) => c.request({ method: "resources/subscribe", params: { uri } }, LOOSE));
    this.subscriptions.set(k, n + 1);
  }

  /** Drops one subscriber of `uri` on `server` (the server is told when none is left). */
  async unsubscribe(server: string, uri: string): Promise<void> {
    const k = `${server}\0${uri}`;
    const n = this.subscriptions.get(k) ?? 0;
    if (n <= 1) {
      this.subscriptions.delete(k);
      if (n === 1) await this.upstreams.get(server)?.request((c) => c.request({ method: "resources/unsubscribe", params: { uri } }, LOOSE)).catch(() => undefined);
    } else this.subscriptions.set(k, n - 1);
  }

  async close(): Promise<void> {
    process.off("exit", this.killOnExit);
    await Promise.all(this.servers.map((u) => u.close()));
    this.changeListeners.clear();
    this.updateListeners.clear();
  }

  private changed(server: string): void {
    this.view = undefined;
    const u = this.upstreams.get(server)!;
    const before = this.seen.get(server);
    const now = u.catalog;
    this.seen.set(server, now);
    const kinds = new Set<CatalogKind>();
    if (before?.tools !== now.tools) kinds.add("tools");
    if (before?.prompts !== now.prompts) kinds.add("prompts");
    if (before?.resources !== now.resources || before?.templates !== now.templates) kinds.add("resources");
    if (u.state === "ready" && before !== now) this.resubscribe(server);
    if (kinds.size > 0) for (const l of this.changeListeners) l(kinds);
  }

  /** After a (re)connect, subscriptions callers still hold are made again on the server. */
  private resubscribe(server: string): void {
    const u = this.upstreams.get(server)!;
    for (const [k, n] of this.subscriptions) {
      const [s, uri] = k.split("\0") as [string, string];
      if (s !== server || n === 0) continue;
      void u.request((c) => c.request({ method: "resources/subscribe", params: { uri } }, LOOSE)).catch((err: Error) =>
        this.deps.log("warn", "MCP resource subscription not renewed", { server, uri, error: err.message }),
      );
    }
  }

  private current(): View {
    this.view ??= buildView(this.servers, this.order, (u) => this.namespaceOf(u), (u) => this.filters.get(u)!, this.deps.log);
    return this.view;
  }

  private killChildren(): void {
    for (const u of this.servers) {
      const pid = u.pid;
      if (pid === undefined) continue;
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
}
