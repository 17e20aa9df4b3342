// `hoosh speak` and `hoosh transcribe` against a hoosh with API keys: the key comes from
// --api-key or $HOOSH_API_KEY (never printed), a missing or wrong key is UNAUTHENTICATED (exit 1),
// and a key without the transcribe scope is PERMISSION_DENIED.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runHoosh, spawnServe, type ServeProcess } from "../harness/cli.js";
import { streamingWavHeader } from "../../server/engines/tts/encoders.js";

const SPEAKER = "hk_test_speaker_0123456789abcdef";
const CHATTER = "hk_test_chatter_0123456789abcdef";
const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");

describe("speech CLI with API keys", () => {
  let server: ServeProcess;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hoosh-speech-auth-"));
    const config = join(dir, "hoosh.toml");
    writeFileSync(
      config,
      `
[[providers]]
name = "tts"
type = "flite"
models = ["flite"]

[aliases]
tts-1 = "flite"

[[keys]]
id = "speaker"
hash = "${sha256(SPEAKER)}"
scopes = ["transcribe"]

[[keys]]
id = "chatter"
hash = "${sha256(CHATTER)}"
scopes = ["inference"]
`,
    );
    // Half a second of silence, for the transcribe refusal (independent of the speak tests' output).
    writeFileSync(join(dir, "silence.wav"), Buffer.concat([streamingWavHeader(16_000, 16_000), Buffer.alloc(16_000)]));
    server = await spawnServe(["--config", config, "--port", "0"]);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const speak = (args: string[], env = cleanEnv()) => runHoosh(["speak", "--server", server.url, "Good morning.", "-o", join(dir, "out.wav"), ...args], { env });

  it("--api-key is sent as a bearer token", { timeout: 60_000 }, async () => {
    const res = await speak(["--api-key", SPEAKER]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/provider=tts characters=13/);
    expect(res.stderr).not.toContain(SPEAKER);
  });

  it("$HOOSH_API_KEY works the same", { timeout: 60_000 }, async () => {
    const res = await speak([], cleanEnv({ HOOSH_API_KEY: SPEAKER }));
    expect(res.code, res.stderr).toBe(0);
  });

  it("no key or a wrong one: UNAUTHENTICATED, exit 1, the key never echoed", { timeout: 60_000 }, async () => {
    const none = await speak([]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^hoosh: Unauthenticated: /);
    const wrong = await speak(["--api-key", "hk_wrong_key_0123456789"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^hoosh: Unauthenticated: /);
    expect(wrong.stderr).not.toContain("hk_wrong_key_0123456789");
  });

  it("a key without the transcribe scope: PERMISSION_DENIED, and no file is left behind", { timeout: 60_000 }, async () => {
    const refused = join(dir, "refused.wav");
    const res = await runHoosh(["speak", "--server", server.url, "--api-key", CHATTER, "Good morning.", "-o", refused]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^hoosh: PermissionDenied: .*chatter/);
    expect(existsSync(refused)).toBe(false);
    const heard = await runHoosh(["transcribe", "--server", server.url, "--api-key", CHATTER, join(dir, "silence.wav")]);
    expect(heard.code).toBe(1);
    expect(heard.stderr).toMatch(/^hoosh: PermissionDenied: /);
  });

  it("bad flags are usage errors (exit 2) naming the flag", async () => {
    const speed = await speak(["--speed", "fast"]);
    expect(speed.code).toBe(2);
    expect(speed.stderr).toMatch(/--speed: "fast" is not a number/);
    const format = await runHoosh(["speak", "--server", server.url, "Hi.", "-o", join(dir, "x.ogg")]);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/-o: cannot tell the format/);
    const missing = await runHoosh(["transcribe", "--server", server.url, join(dir, "absent.wav")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/FILE: cannot read .*absent\.wav.*ENOENT/);
    const fmt = await runHoosh(["transcribe", "--format", "xml", join(dir, "out.wav")]);
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toMatch(/--format: "xml" is not one of: text, json, srt, vtt/);
  });
});
