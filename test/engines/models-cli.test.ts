// `hoosh models pull|list|rm` against a loopback HTTP server: full download, resume after the
// connection is cut mid-way (HTTP Range), checksum verification, listing with GGUF metadata.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanEnv, runHoosh } from "../harness/cli.js";
import { generatedModel, REAL_MODEL, removeGenerated, SHARED_MODEL } from "./helpers.js";

// Each test runs the CLI 2-5 times (1-4 s per process on a busy 2-core machine).
vi.setConfig({ testTimeout: 90_000 });

let bytes: Buffer;
let sha: string;
let server: Server;
let base: string;
let dataDir: string;
/** Range header of each request ("" when none). */
let ranges: string[] = [];
/** Cut the next full (non-range) response after this many bytes. */
let cutAfter: number | undefined;

beforeAll(async () => {
  bytes = readFileSync(REAL_MODEL ? SHARED_MODEL : generatedModel());
  sha = createHash("sha256").update(bytes).digest("hex");
  server = createServer((req, res) => {
    ranges.push(req.headers.range ?? "");
    if (req.url === "/missing.gguf") {
      res.writeHead(404).end("not found");
      return;
    }
    const body = req.url === "/page.gguf" ? Buffer.from("<html>moved</html>") : bytes;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (m) {
      const start = Number(m[1]);
      res.writeHead(206, { "content-length": body.length - start, "content-range": `bytes ${start}-${body.length - 1}/${body.length}` });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { "content-length": body.length });
    if (cutAfter !== undefined) {
      const n = cutAfter;
      cutAfter = undefined;
      res.write(body.subarray(0, n), () => setTimeout(() => req.socket.destroy(), 50));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dataDir = await mkdtemp(join(tmpdir(), "hoosh-data-"));
});

afterAll(async () => {
  server?.close();
  removeGenerated();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  ranges = [];
  await rm(join(dataDir, "models"), { recursive: true, force: true });
});

const hoosh = (...args: string[]) => runHoosh(["models", ...args], { env: cleanEnv({ HOOSH_DATA_DIR: dataDir }) });
const modelFile = (name: string) => join(dataDir, "models", name);

describe("hoosh models pull", () => {
  it("downloads into $HOOSH_DATA_DIR/models, verifies the sha256 and reports progress", async () => {
    const res = await hoosh("pull", `${base}/files/model.gguf`, "--sha256", sha.toUpperCase());
    expect(res.stderr).toContain("model.gguf: 100%");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`${modelFile("model.gguf")}:`);
    expect(res.stdout).toContain(`sha256 ${sha}`);
    expect(await readFile(modelFile("model.gguf"))).toEqual(bytes);
    expect(existsSync(modelFile("model.gguf.part"))).toBe(false);
    const again = await hoosh("pull", `${base}/files/model.gguf`);
    expect(again.stdout).toContain("already present");
  });

  it("resumes a download whose connection was cut mid-way (HTTP Range on the .part file)", async () => {
    cutAfter = Math.floor(bytes.length / 2);
    const first = await hoosh("pull", `${base}/m.gguf`, "--name", "resumed.gguf", "--sha256", sha);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("download interrupted after");
    expect(first.stderr).toContain("run the same command again to resume");
    const partial = (await stat(modelFile("resumed.gguf.part"))).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(bytes.length);
    expect((await hoosh("list")).stdout).toMatch(/resumed\.gguf\.part\s.*\(partial download\)/);

    const second = await hoosh("pull", `${base}/m.gguf`, "--name", "resumed.gguf", "--sha256", sha);
    expect(second.code).toBe(0);
    expect(ranges).toEqual(["", `bytes=${partial}-`]);
    expect(second.stdout).toContain("resumed at");
    expect(await readFile(modelFile("resumed.gguf"))).toEqual(bytes);
  });

  it("a checksum mismatch fails, removes the partial file and leaves no model", async () => {
    const res = await hoosh("pull", `${base}/model.gguf`, "--sha256", "0".repeat(64));
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`sha256 mismatch: got ${sha}, expected ${"0".repeat(64)}; the partial file was removed`);
    expect(existsSync(modelFile("model.gguf"))).toBe(false);
    expect(existsSync(modelFile("model.gguf.part"))).toBe(false);
  });

  it("refuses what is not a GGUF, HTTP errors, bad names and bad checksums", async () => {
    const page = await hoosh("pull", `${base}/page.gguf`);
    expect(page.code).toBe(1);
    expect(page.stderr).toContain('is not a GGUF file (it does not start with "GGUF")');
    expect(existsSync(modelFile("page.gguf"))).toBe(false);

    const missing = await hoosh("pull", `${base}/missing.gguf`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("HTTP 404");

    const noName = await hoosh("pull", `${base}/download?id=3`);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('"download" must end in .gguf or .bin; name the file with --name');

    const badSha = await hoosh("pull", `${base}/model.gguf`, "--sha256", "abc");
    expect(badSha.code).toBe(2);
    expect(badSha.stderr).toContain('--sha256: "abc" is not 64 hex digits');

    const ftp = await hoosh("pull", "ftp://example/x.gguf");
    expect(ftp.code).toBe(2);
  });
});

describe("hoosh models list and rm", () => {
  it("lists files with size and GGUF metadata; rm deletes them", async () => {
    expect((await hoosh("list")).stdout).toContain("(no model files in");
    expect((await hoosh("pull", `${base}/model.gguf`, "--name", "stories.gguf")).code).toBe(0);
    const list = await hoosh("list");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+SIZE\s+ARCH\s+PARAMS\s+QUANT\s+CONTEXT\s+CHAT TEMPLATE$/m);
    expect(list.stdout).toMatch(/^stories\.gguf\s+\S+ \S?i?B\s+llama\s+\S+\s+\S+\s+\d+\s+no$/m);

    const removed = await hoosh("rm", "stories.gguf");
    expect(removed.code).toBe(0);
    expect(existsSync(modelFile("stories.gguf"))).toBe(false);
    const again = await hoosh("rm", "stories.gguf");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no model file "stories.gguf" in');
    expect((await hoosh("rm", "../etc.gguf")).code).toBe(2);
  });

  it("`hoosh models` without a subcommand still lists a server's models; unknown subcommands are usage errors", async () => {
    const res = await hoosh("frobnicate");
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('models: unknown subcommand "frobnicate"; available: pull, list, rm');
  });
});
