// [[mcp_servers]], [mcp] and [[keys]] tools in hoosh.toml: defaults, and every
// mistake reported with its key path (secrets never echoed).
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../../server/config/index.js";
import { mcpSettings } from "../../../server/config/mcp-schema.js";

const parse = (toml: string, env: Record<string, string> = {}) => parseConfig(toml, { source: "t.toml", env });

function problems(toml: string, env: Record<string, string> = {}): string[] {
  try {
    parse(toml, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  throw new Error("the config was accepted");
}

describe("[[mcp_servers]]", () => {
  it("applies defaults and keeps configs without MCP unchanged", () => {
    const c = parse(`[[mcp_servers]]\nname = "fs"\ntransport = "stdio"\ncommand = "mcp-fs"\n`);
    expect(c.mcp_servers![0]).toMatchObject({
      name: "fs",
      args: [],
      env: {},
      tools: ["*"],
      deny_tools: [],
      enabled: true,
      call_timeout_ms: 60_000,
      max_concurrent_calls: 16,
      max_argument_bytes: 1_048_576,
      restart: { initial_backoff_ms: 250, max_backoff_ms: 30_000, max_crashes: 5, crash_window_ms: 60_000 },
    });
    const plain = parse("");
    expect(plain.mcp_servers).toBeUndefined();
    expect(plain.mcp).toBeUndefined();
    expect(mcpSettings(plain)).toMatchObject({ enabled: true, path: "/mcp", max_sessions: 1000 });
  });

  it("names each missing or misplaced key for its transport", () => {
    expect(problems(`[[mcp_servers]]\nname = "a"\ntransport = "stdio"\nurl = "http://x"\n`)).toEqual([
      'mcp_servers[0].command: missing required key (transport "stdio" starts this command)',
      'mcp_servers[0].url: is only allowed with transport "http"',
    ]);
    expect(problems(`[[mcp_servers]]\nname = "b"\ntransport = "http"\ncommand = "x"\nargs = ["y"]\n`)).toEqual([
      'mcp_servers[0].url: missing required key (transport "http" connects to this Streamable HTTP endpoint)',
      'mcp_servers[0].command: is only allowed with transport "stdio"',
      'mcp_servers[0].args: is only allowed with transport "stdio"',
    ]);
    expect(problems(`[[mcp_servers]]\nname = "c"\ntransport = "http"\nurl = "ftp://x"\n`)).toEqual(["mcp_servers[0].url: is not an http:// or https:// URL"]);
    expect(problems(`[[mcp_servers]]\nname = "d"\ntransport = "websocket"\nurl = "http://x"\n`)[0]).toMatch(/^mcp_servers\[0\]\.transport: /);
  });

  it("names a bad server name", () => {
    expect(problems(`[[mcp_servers]]\nname = "Files"\ntransport = "stdio"\ncommand = "x"\n`)).toEqual([
      'mcp_servers[0].name: "Files" is not a valid name (lowercase letters, digits, ".", "_", "-"; starting with a letter or digit)',
    ]);
  });

  it("refuses duplicate names and namespaces, and namespaces that are not valid name prefixes", () => {
    const two = `[[mcp_servers]]\nname = "a"\ntransport = "stdio"\ncommand = "x"\n[[mcp_servers]]\nname = "b"\ntransport = "stdio"\ncommand = "y"\nnamespace = "a"\n`;
    expect(problems(two)).toEqual(['mcp_servers[1].namespace: namespace "a" is already used by mcp_servers[0]']);
    expect(problems(two.replace('name = "b"', 'name = "a"'))).toContain('mcp_servers[1].name: duplicate MCP server name "a" (already used by mcp_servers[0])');
    expect(problems(`[[mcp_servers]]\nname = "a"\ntransport = "stdio"\ncommand = "x"\nnamespace = "a b"\n`)[0]).toBe('mcp_servers[0].namespace: "a b" is not a valid namespace (letters, digits, "_", "-" and inner "."; "" for none)');
    // Two unprefixed servers are fine: their names are made unique at run time.
    expect(() => parse(`[[mcp_servers]]\nname = "a"\ntransport = "stdio"\ncommand = "x"\nnamespace = ""\n[[mcp_servers]]\nname = "b"\ntransport = "stdio"\ncommand = "y"\nnamespace = ""\n`)).not.toThrow();
  });

  it("treats env and headers values as secrets", () => {
    const msgs = problems(`[[mcp_servers]]\nname = "a"\ntransport = "stdio"\ncommand = "x"\nenv = { "BAD NAME" = "s3cret-value" }\n`);
    expect(msgs).toEqual(['mcp_servers[0].env."BAD NAME": not a valid environment variable name']);
    expect(msgs.join("\n")).not.toContain("s3cret-value");
    const expanded = parse(`[[mcp_servers]]\nname = "h"\ntransport = "http"\nurl = "http://x"\nheaders = { authorization = "Bearer \${TOKEN}" }\n`, { TOKEN: "abc123" });
    expect(expanded.mcp_servers![0]!.headers).toEqual({ authorization: "Bearer abc123" });
  });
});

describe("[[keys]] tools", () => {
  it("grants nothing by default and takes globs and a tool_rpm", () => {
    const hash = "a".repeat(64);
    const c = parse(`[[keys]]\nid = "k"\nhash = "${hash}"\nscopes = ["tools"]\ntools = ["fs.*"]\ntool_rpm = 5\n[[keys]]\nid = "j"\nhash = "${"b".repeat(64)}"\nscopes = ["tools"]\n`);
    expect(c.keys[0]).toMatchObject({ scopes: ["tools"], tools: ["fs.*"], tool_rpm: 5 });
    expect(c.keys[1]!.tools).toBeUndefined();
    expect(problems(`[[keys]]\nid = "k"\nhash = "${hash}"\nscopes = ["tool"]\n`)[0]).toMatch(/^keys\[0\]\.scopes\[0\]: /);
  });
});
