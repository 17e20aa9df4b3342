// The console's Speech page and the Providers page's recent errors, end to end: a bundled hoosh
// with in-process pocketsphinx (speech to text) and flite (text to speech) beside the fake OpenAI
// upstream, driven by headless Debian chromium. Screenshots go to test-artifacts/console/.
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { chromium, type Browser, type Page } from "playwright-core";
import { AudioEncoding, TranscribeService, type TranscribeFileRequestSchema } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeOpenAI } from "../fakes/spawn.js";
import type { Bundle } from "../harness/bundle.js";
import { REPO_ROOT, type Hoosh } from "../harness/hoosh.js";
import { fliteWav, FLITE_TEXT, SENTENCES, wordAccuracy } from "../stt/harness.js";
import { CHROMIUM, openConsolePage, screenshot, watchedPage, type PageProblems } from "./browser.js";
import { ADMIN_KEY, SLOW } from "./fixture.js";
import { startChromiumConsole, stopChromiumConsole } from "./rig.js";
import { speechConfig } from "./speech-config.js";

/** The few members of an <audio> element the test reads (this project's tsconfig has no DOM types). */
interface MediaElement {
  readyState: number;
  duration: number;
  error: { code: number } | null;
  addEventListener(type: string, listener: () => void): void;
}

/** A real tiny GGUF beside the repository, run in-process: the Providers page shows where it was placed. */
const TINY_GGUF = join(REPO_ROOT, "..", "shared", "models", "stories260K.gguf");
const LOCAL_PROVIDER = `
[[providers]]
name = "tiny"
type = "local"
models = ["stories"]
local = { model_path = ${JSON.stringify(TINY_GGUF)}, threads = 1, context_size = 1024, sequences = 1 }
`;

let bundle: Bundle;
let fake: FakeOpenAI;
let hoosh: Hoosh;
let browser: Browser;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  if (!existsSync(TINY_GGUF)) throw new Error(`${TINY_GGUF} is missing: the Providers page test places it as a local model (see /work/shared/models/README.md)`);
  ({ bundle, fake, hoosh, browser, page, problems } = await startChromiumConsole((url) => speechConfig(url, LOCAL_PROVIDER)));
}, 180_000);

afterAll(() => stopChromiumConsole({ bundle, fake, hoosh, browser }));

/** Opens a page afresh (a hash change alone would keep the last test's state), logging in if needed. */
const openPage = (hash: string) => openConsolePage(page, hoosh.url, hash, ADMIN_KEY);

/** Speech on a busy machine is slow (pocketsphinx shares 2 cores with the browser and the suite): room to spare. */
const SPEECH = { timeout: 240_000 };

describe("speech page", { timeout: 300_000 }, () => {
  it("uploading a WAV of flite speech shows partials as pocketsphinx forms them, then the transcript", async () => {
    await openPage("#/speech");
    await page.locator("#stt-model option[value='pocketsphinx-en']").waitFor({ state: "attached" });
    await page.selectOption("#stt-model", "pocketsphinx-en");
    await page.setInputFiles("#stt-file", { name: "flite.wav", mimeType: "audio/wav", buffer: await fliteWav() });
    await page.getByRole("button", { name: "Transcribe" }).click();
    const transcript = page.locator("#transcript");
    await expect.poll(() => transcript.getAttribute("data-status"), SPEECH).toBe("done");
    const text = (await transcript.textContent()) ?? "";
    // The same bar as test/stt's pocketsphinx tests on this speech.
    expect(wordAccuracy(FLITE_TEXT, text), text).toBeGreaterThanOrEqual(0.85);
    expect(Number(await transcript.getAttribute("data-partials"))).toBeGreaterThan(0);
    expect(await page.getByTestId("transcript-facts").textContent()).toMatch(/\d+\.\d s of audio · pocketsphinx-en on sphinx/);
    await screenshot(page, "speech-transcribe");
  });

  it("a WAV over the server's request limit (max_body_bytes, 4 MiB) is refused in plain words", async () => {
    await openPage("#/speech");
    await page.locator("#stt-model option[value='pocketsphinx-en']").waitFor({ state: "attached" });
    // A valid 16 kHz mono 16-bit WAV: 5 MiB of silence.
    const wav = Buffer.alloc(44 + 5 * 1024 * 1024);
    wav.write("RIFF", 0);
    wav.writeUInt32LE(wav.length - 8, 4);
    wav.write("WAVEfmt ", 8);
    wav.writeUInt32LE(16, 16);
    wav.writeUInt16LE(1, 20);
    wav.writeUInt16LE(1, 22);
    wav.writeUInt32LE(16_000, 24);
    wav.writeUInt32LE(32_000, 28);
    wav.writeUInt16LE(2, 32);
    wav.writeUInt16LE(16, 34);
    wav.write("data", 36);
    wav.writeUInt32LE(wav.length - 44, 40);
    await page.setInputFiles("#stt-file", { name: "big.wav", mimeType: "audio/wav", buffer: wav });
    await page.getByRole("button", { name: "Transcribe" }).click();
    const alert = page.locator("form[aria-labelledby='stt-title'] [role='alert']");
    await expect.poll(() => alert.textContent(), SLOW).toContain("The file is larger than this hoosh takes in one request");
    expect(await page.locator("#transcript").getAttribute("data-status")).toBe("failed");
  });

  it("Speak plays flite's speech: an <audio> with a blob: source of non-zero duration, as MP3 and as WAV", async () => {
    await openPage("#/speech");
    await page.locator("#tts-model option[value='flite']").waitFor({ state: "attached" });
    await page.selectOption("#tts-model", "flite");
    for (const format of ["provider default (MP3)", "WAV"]) {
      await page.selectOption("#tts-format", { label: format });
      await page.fill("#tts-text", "The console speaks this sentence aloud.");
      const audio = page.locator("#speech-audio");
      const before = (await audio.count()) ? await audio.getAttribute("src") : null;
      await page.getByRole("button", { name: "Speak" }).click();
      // This clip's element, not the last one's: its blob: URL is new.
      const src = async () => ((await audio.count()) ? await audio.getAttribute("src") : null);
      const fresh = async () => {
        const now = await src();
        return now !== null && now !== before;
      };
      await expect.poll(fresh, SPEECH).toBe(true);
      expect(await audio.getAttribute("src")).toMatch(/^blob:/);
      expect(await page.getByTestId("speech-facts").textContent()).toContain(format === "WAV" ? "audio/wav" : "audio/mpeg");
      // The browser decodes the file's header: a duration it reads, not one we told it.
      const duration = await audio.evaluate(
        (a: MediaElement) =>
          a.readyState >= 1
            ? a.duration
            : new Promise<number>((ok, fail) => {
                a.addEventListener("loadedmetadata", () => ok(a.duration));
                a.addEventListener("error", () => fail(new Error(`audio error ${a.error?.code}`)));
              }),
      );
      expect(duration).toBeGreaterThan(0.5);
      expect(Number.isFinite(duration)).toBe(true);
      expect(await page.getByTestId("speech-facts").textContent()).toContain("from tts");
    }
    await screenshot(page, "speech-speak");
  });

  it("empty text and text over 4,096 characters show the server's error naming the field", async () => {
    await openPage("#/speech");
    await page.locator("#tts-model option[value='flite']").waitFor({ state: "attached" });
    await page.fill("#tts-text", "");
    await page.getByRole("button", { name: "Speak" }).click();
    const alert = page.locator("form[aria-labelledby='tts-title'] [role='alert']");
    await expect.poll(() => alert.textContent(), SLOW).toMatch(/hoosh did not accept the request\. \(input: .*\)/);
    await page.fill("#tts-text", "a".repeat(4097));
    await page.getByRole("button", { name: "Speak" }).click();
    await expect.poll(() => alert.textContent(), SLOW).toMatch(/input: .*4,?096/);
    await screenshot(page, "speech-error");
  });
});

describe("recording from the microphone", { timeout: 300_000 }, () => {
  it("Record, then Stop: chromium's fake microphone plays flite speech, and its transcript shows", async () => {
    // Chromium reads the fake microphone's sound from a WAV file (looped); nothing is mocked in the page.
    const dir = await mkdtemp(join(tmpdir(), "hoosh-mic-"));
    const mic = join(dir, "mic.wav");
    await writeFile(mic, await fliteWav(SENTENCES[0]));
    const micBrowser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-audio-capture=${mic}`],
    });
    try {
      const { page: p, problems: seen } = await watchedPage(micBrowser);
      await p.goto(`${hoosh.url}/console/`);
      await p.getByLabel(/API key/).fill(ADMIN_KEY);
      await p.getByRole("button", { name: "Log in" }).click();
      await p.locator("main[data-page]").waitFor();
      await p.goto(`${hoosh.url}/console/#/speech`);
      await p.locator("#stt-model option[value='pocketsphinx-en']").waitFor({ state: "attached" });
      await p.selectOption("#stt-model", "pocketsphinx-en");
      await p.getByRole("button", { name: "Record" }).click();
      // Long enough for the sentence (about 2.5 s) to play through at least once.
      await expect.poll(async () => Number(await p.locator("[data-recorded-seconds]").getAttribute("data-recorded-seconds")), SPEECH).toBeGreaterThanOrEqual(6);
      await p.getByRole("button", { name: "Stop and transcribe" }).click();
      const transcript = p.locator("#transcript");
      await expect.poll(() => transcript.getAttribute("data-status"), SPEECH).toBe("done");
      const text = ((await transcript.textContent()) ?? "").toLowerCase();
      // "The weather today is sunny and warm." heard at least once through the recording.
      expect(text, text).toContain("weather today");
      expect(text, text).toMatch(/sunny|warm/);
      await screenshot(p, "speech-recorded");
      expect(seen).toEqual({ csp: [], errors: [] });
    } finally {
      await micBrowser.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("speech page at 390 px", { timeout: 60_000 }, () => {
  it("fits the width (no sideways scrolling)", async () => {
    const { page: narrow, problems: seen } = await watchedPage(browser, { width: 390, height: 844 });
    try {
      await narrow.goto(`${hoosh.url}/console/`);
      await narrow.getByLabel(/API key/).fill(ADMIN_KEY);
      await narrow.getByRole("button", { name: "Log in" }).click();
      await narrow.locator("main[data-page]").waitFor();
      await narrow.goto(`${hoosh.url}/console/#/speech`);
      await narrow.locator("#tts-model option[value='flite']").waitFor({ state: "attached" });
      expect(await narrow.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
      await screenshot(narrow, "speech-390px");
      expect(seen).toEqual({ csp: [], errors: [] });
    } finally {
      await narrow.close();
    }
  });
});

describe("TranscribeFile (what the page calls), over Connect like a browser", () => {
  it("answers INVALID_ARGUMENT naming the field: no config, no audio, not a WAV", async () => {
    const client = createClient(TranscribeService, createConnectTransport({ baseUrl: hoosh.url, httpVersion: "1.1", interceptors: [(next) => (req) => (req.header.set("authorization", `Bearer ${ADMIN_KEY}`), next(req))] }));
    const failure = async (req: MessageInitShape<typeof TranscribeFileRequestSchema>) => {
      try {
        for await (const _ of client.transcribeFile(req)) void _;
        return "no error";
      } catch (err) {
        const e = ConnectError.from(err);
        return `${Code[e.code]}: ${e.rawMessage}`;
      }
    };
    const config = { model: "pocketsphinx-en", encoding: AudioEncoding.WAV };
    expect(await failure({ audio: new Uint8Array(100) })).toMatch(/^InvalidArgument: config: the first message must carry config/);
    expect(await failure({ config })).toMatch(/^InvalidArgument: audio: no audio received/);
    expect(await failure({ config, audio: new TextEncoder().encode("this is not a wave file at all") })).toMatch(/^InvalidArgument: .*WAV/i);
  });
});

describe("providers page", { timeout: 60_000 }, () => {
  it("shows a provider's recent error after a request to a failing upstream, and a local model's placement and memory", async () => {
    const res = await fetch(`${hoosh.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify({ model: "fake-500", messages: [{ role: "user", content: "fail please" }] }),
    });
    expect(res.status).toBeGreaterThanOrEqual(500);
    await res.arrayBuffer();
    await openPage("#/providers");
    const errors = page.locator("[data-provider='fake'] [data-testid='recent-errors']");
    await expect.poll(() => errors.textContent(), SLOW).toContain("fake-500");
    expect(await errors.textContent()).toContain("The server had an error while processing your request");
    // The speech engines had no failures: they say so.
    expect(await page.locator("[data-provider='sphinx'] [data-testid='recent-errors']").textContent()).toBe("No recent errors.");
    // The local model: where hoosh placed it on this machine (no GPU here, or a GPU: either way placed) and its memory.
    const placed = page.locator("[data-provider='tiny'] [data-testid='local-placement']");
    await expect.poll(() => placed.textContent(), SLOW).toContain("stories260K.gguf");
    expect(await placed.textContent()).toMatch(/Placement(CPU only|all on the GPU|split between GPU and CPU)Memory\d+(\.\d)? [KMG]iB \(weights/);
    await screenshot(page, "providers-errors");
  });

  it("no CSP violations and no uncaught errors on these pages", () => {
    expect(problems).toEqual({ csp: [], errors: [] });
  });
});
