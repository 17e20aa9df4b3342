// The CLI against a keyed `hoosh serve`: every client command sends --api-key (or $HOOSH_API_KEY)
// and is refused without one; `hoosh keys create|list|rotate|revoke` and `hoosh usage` work end to
// end; bad flags exit 2 naming the flag; README's "Keys, teams, spend and the request log" block runs.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { serveWith, type Served } from "../auth/helpers.js";
import { cleanEnv, runHoosh } from "../harness/cli.js";
import { HOOSH_MAIN, REPO_ROOT } from "../harness/hoosh.js";
import { run } from "../harness/tools.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { ADMIN_KEY, keyedConfig } from "./helpers.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

let fake: FakeOpenAI;
let served: Served;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  served = await serveWith(keyedConfig(fake.baseUrl));
  env = cleanEnv({ HOOSH_SERVER: served.server.url });
});

afterAll(async () => {
  await served?.stop();
  await fake?.stop();
});

const hoosh = (args: string[], extra: Record<string, string> = {}) => runHoosh(args, { env: { ...env, ...extra }, timeoutMs: 60_000 });

describe("hoosh CLI with --api-key", () => {
  let secret = "";
  let id = "";

  it("keys create prints the key (id first) and its secret once; keys list shows it", async () => {
    const made = await hoosh(["keys", "create", "--api-key", ADMIN_KEY, "--name", "cli-app", "--scopes", "inference", "--budget-tokens", "50000", "--period", "day"]);
    expect(made.code, made.stderr).toBe(0);
    secret = /^secret: (\S+)$/m.exec(made.stdout)![1]!;
    id = made.stdout.split("\t")[0]!;
    expect(id).toMatch(/^k-/);
    const listed = await hoosh(["keys", "list"], { HOOSH_API_KEY: ADMIN_KEY });
    expect(listed.code, listed.stderr).toBe(0);
    const line = listed.stdout.split("\n").find((l) => l.startsWith(`${id}\t`));
    expect(line).toContain("cli-app");
    expect(listed.stdout).not.toContain(secret);
  });

  it("every client command works with the key, and is refused without it", async () => {
    const commands = [["infer", "gpt-4o-mini", "hi"], ["infer", "--stream", "gpt-4o-mini", "hi"], ["models"], ["info"], ["usage"]];
    for (const args of commands) {
      const ok = await hoosh([...args, "--api-key", secret]);
      expect(ok.code, `${args.join(" ")}: ${ok.stderr}`).toBe(0);
      const viaEnv = await hoosh(args, { HOOSH_API_KEY: secret });
      expect(viaEnv.code, `${args.join(" ")} ($HOOSH_API_KEY): ${viaEnv.stderr}`).toBe(0);
      const refused = await hoosh(args);
      expect(refused.code, args.join(" ")).toBe(1);
      expect(refused.stderr).toContain("Unauthenticated");
    }
    // health is open by default; it still takes the flag.
    expect((await hoosh(["health", "--api-key", secret])).code).toBe(0);
  });

  it("usage with the app key shows only its own usage", async () => {
    const own = await hoosh(["usage", "--by", "key", "--since", "1d", "--api-key", secret]);
    expect(own.code, own.stderr).toBe(0);
    const rows = own.stdout.trim().split("\n");
    expect(rows.map((r) => r.split("\t")[0])).toEqual([id, "total"]);
    expect(rows[0]).toMatch(/requests=[1-9]/);
  });

  it("rotate prints a new secret; revoke refuses the key", async () => {
    const rotated = await hoosh(["keys", "rotate", id, "--grace", "0", "--api-key", ADMIN_KEY]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const next = /^secret: (\S+)$/m.exec(rotated.stdout)![1]!;
    expect((await hoosh(["infer", "--api-key", secret, "gpt-4o-mini", "hi"])).code).toBe(1);
    expect((await hoosh(["infer", "--api-key", next, "gpt-4o-mini", "hi"])).code).toBe(0);
    const revoked = await hoosh(["keys", "revoke", id, "--api-key", ADMIN_KEY]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain("revoked");
    const refused = await hoosh(["infer", "--api-key", next, "gpt-4o-mini", "hi"]);
    expect(refused.stderr).toContain("revoked");
    const again = await hoosh(["keys", "revoke", id, "--api-key", ADMIN_KEY]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already revoked");
  });

  it("bad flags exit 2 naming the flag; server-side errors name the field", async () => {
    const cases: [string[], string][] = [
      [["keys", "create", "--name", "x", "--budget-tokens", "-5"], "--budget-tokens"],
      [["keys", "create", "--name", "x", "--period", "fortnight"], "--period"],
      [["keys", "create"], "--name"],
      [["usage", "--by", "colour"], "--by"],
      [["usage", "--since", "yesterday"], "--since"],
      [["keys", "frobnicate"], "frobnicate"],
    ];
    for (const [args, flag] of cases) {
      const r = await hoosh([...args, "--api-key", ADMIN_KEY]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(flag);
    }
    const badModel = await hoosh(["keys", "create", "--api-key", ADMIN_KEY, "--name", "bad-model", "--models", "gpt-[4"]);
    expect(badModel.code).toBe(1);
    expect(badModel.stderr).toContain("key.models[0]");
    const noAdmin = await hoosh(["keys", "list", "--api-key", "hk_not_a_real_key_0123456789"]);
    expect(noAdmin.code).toBe(1);
    expect(noAdmin.stderr).toContain("Unauthenticated");
  });
});

describe("README: keys, teams, spend and the request log", () => {
  it("runs the shell block", async () => {
    const readme = await readFile(join(REPO_ROOT, "README.md"), "utf8");
    const start = readme.indexOf("## Keys, teams, spend and the request log");
    const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
    const [sh] = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(sh).toContain("hoosh keys create");
    const dir = await mkdtemp(join(tmpdir(), "hoosh-readme-keys-"));
    try {
      const script = [
        "set -euo pipefail",
        `hoosh() { ${JSON.stringify(process.execPath)} --import ${JSON.stringify(join(REPO_ROOT, "node_modules/tsx/dist/loader.mjs"))} ${JSON.stringify(HOOSH_MAIN)} "$@"; }`,
        sh!.replaceAll("http://127.0.0.1:8088", served.server.url),
      ].join("\n");
      const r = await run("bash", ["-c", script], { cwd: dir, env: { ...env, ADMIN_KEY }, timeoutMs: 100_000 });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toContain("team=web");
      expect(r.stdout).toMatch(/^web\trequests=1\t/m);
      expect(r.stdout).toContain("group,requests,input_tokens");
      expect(r.stdout).toContain('"records"');
      expect(r.stdout).toMatch(/\trevoked\t/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
