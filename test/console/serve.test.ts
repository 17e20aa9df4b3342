// /console/ static serving (rest/console) over a real HTTP server on a loopback port, with a
// built console in a temp folder; [console] enabled and its config errors.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../server/config/index.js";
import { consoleEnabled, createConsoleRest } from "../../server/rest/console/index.js";
import { chain } from "../../server/rest/handler.js";

describe("[console] enabled", () => {
  const parse = (toml: string) => parseConfig(toml, { source: "hoosh.toml", env: {} });
  it("defaults to on for a loopback bind and off otherwise; an explicit value wins", () => {
    expect(consoleEnabled(parse(`[server]\nbind = "127.0.0.1"\n`))).toBe(true);
    expect(consoleEnabled(parse(`[server]\nbind = "::1"\n`))).toBe(true);
    expect(consoleEnabled(parse(`[server]\nbind = "0.0.0.0"\n[auth]\nallow_unauthenticated_remote = true\n`))).toBe(false);
    expect(consoleEnabled(parse(`[server]\nbind = "0.0.0.0"\n[console]\nenabled = true\n`))).toBe(true);
    expect(consoleEnabled(parse(`[console]\nenabled = false\n`))).toBe(false);
  });

  it("a bad value or an unknown key is a config error naming the key", () => {
    const error = (toml: string) => {
      try {
        parse(toml);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).message;
      }
      throw new Error("no error");
    };
    expect(error(`[console]\nenabled = "yes"\n`)).toMatch(/hoosh\.toml: console\.enabled: .*boolean/i);
    expect(error(`[console]\npath = "/ui"\n`)).toMatch(/console.*path/);
  });
});

describe("/console/ files", () => {
  let dir: string;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hoosh-console-"));
    const handler = createConsoleRest([join(dir, "missing"), join(dir, "built")]);
    server = createServer(
      chain([handler], (_req, res) => {
        res.writeHead(404);
        res.end("next edge");
      }),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it("answers 503 naming `npm run build` until the console is built, then serves it (no restart)", async () => {
    const before = await fetch(`${base}/console/`);
    expect(before.status).toBe(503);
    expect(await before.text()).toContain("npm run build");

    await mkdir(join(dir, "built", "assets"), { recursive: true });
    await writeFile(join(dir, "built", "index.html"), "<!doctype html><title>t</title>");
    await writeFile(join(dir, "built", "assets", "main-ABC123.js"), "console.log(1)".repeat(100));
    const after = await fetch(`${base}/console/`);
    expect(after.status).toBe(200);
    expect(after.headers.get("cache-control")).toBe("no-cache");
    expect(after.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await after.text()).toContain("<title>t</title>");
  });

  it("hashed assets: long cache, gzip when accepted, HEAD without a body; unknown names 404", async () => {
    const gz = await fetch(`${base}/console/assets/main-ABC123.js`, { headers: { "accept-encoding": "gzip" } });
    expect(gz.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(gz.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await gz.text()).toBe("console.log(1)".repeat(100)); // fetch inflates it
    // The raw bytes are gzip (node:http, so fetch does not inflate).
    const raw = await new Promise<Buffer>((resolve, reject) => {
      import("node:http").then(({ get }) =>
        get(`${base}/console/assets/main-ABC123.js`, { headers: { "accept-encoding": "gzip" } }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks))).on("error", reject);
        }).on("error", reject),
      );
    });
    expect(gunzipSync(raw).toString()).toBe("console.log(1)".repeat(100));

    const head = await fetch(`${base}/console/assets/main-ABC123.js`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    for (const path of ["/console/assets/main-ZZZ.js", "/console/assets/", "/console/assets/../index.html.bak", "/console/other"]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).toContain("no console file");
    }
  });

  it("/console redirects to /console/; other methods are 405; other paths pass to the next edge", async () => {
    const redirect = await fetch(`${base}/console`, { redirect: "manual" });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get("location")).toBe("/console/");
    const post = await fetch(`${base}/console/`, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    expect(await post.text()).toContain("GET and HEAD only");
    const other = await fetch(`${base}/consoles`);
    expect(await other.text()).toBe("next edge");
  });
});
