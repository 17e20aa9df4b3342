// The cloud, TLS and proxy config examples of the README and docs/clouds.md
// are valid hoosh.toml: each ```toml block parses against the schema (with
// every ${VAR} set), so a renamed or removed key breaks this test, not a user.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../server/config/index.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const blocks = (markdown: string) => [...markdown.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]!);
/** Every variable is set. */
const env = new Proxy({} as Record<string, string>, { get: (_t, name) => (typeof name === "string" ? `value-of-${name}` : undefined), has: () => true });

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const next = markdown.indexOf("\n### ", start + heading.length);
  return markdown.slice(start, next < 0 ? undefined : next);
}

describe("config examples", () => {
  const examples = [
    ...blocks(section(read("README.md"), "### Cloud providers, upstream TLS and proxies")).map((toml, i) => [`README #${i + 1}`, toml] as const),
    ...blocks(read("docs/clouds.md")).map((toml, i) => [`docs/clouds.md #${i + 1}`, toml] as const),
  ];

  it("there are examples for each cloud, TLS and proxies", () => {
    const all = examples.map(([, toml]) => toml).join("\n");
    for (const key of ['type = "azure"', 'type = "bedrock"', 'type = "vertex"', "credentials = { tenant_id", "tls = {", "proxy = "]) expect(all).toContain(key);
  });

  it.each(examples)("%s parses", (_name, toml) => {
    const config = parseConfig(toml, { source: "example", env });
    expect(config.providers.length).toBeGreaterThan(0);
  });
});
