// A smoke test of the console in Firefox (Debian's firefox-esr through puppeteer-core and WebDriver
// BiDi): log in, the overview shows the provider, a playground chat streams, the Speech page
// transcribes an uploaded WAV and plays synthesized speech. The full suite runs in chromium
// (console.test.ts, speech.test.ts).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { bundleHoosh, type Bundle } from "../harness/bundle.js";
import { startHoosh, type Hoosh } from "../harness/hoosh.js";
import { fliteWav, FLITE_TEXT, wordAccuracy } from "../stt/harness.js";
import { cspReports, firefoxScreenshot, launchFirefox, watchedFirefoxPage } from "./firefox.js";
import { ADMIN_KEY, SLOW } from "./fixture.js";
import { speechConfig } from "./speech-config.js";

let bundle: Bundle;
let fake: FakeOpenAI;
let hoosh: Hoosh;
let browser: Browser;
let page: Page;
let problems: string[];
let scratch: string;

beforeAll(async () => {
  [bundle, fake, browser, scratch] = await Promise.all([bundleHoosh(), startFakeOpenAI(), launchFirefox(), mkdtemp(join(tmpdir(), "hoosh-firefox-"))]);
  hoosh = await startHoosh(speechConfig(fake.baseUrl), { bundle });
  ({ page, problems } = await watchedFirefoxPage(browser));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await hoosh?.stop();
  await fake?.stop();
  await bundle?.remove();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Text of the first element matching `selector` ("" when there is none yet). */
const textOf = (selector: string) => page.$eval(selector, (el) => el.textContent ?? "").catch(() => "");
const attrOf = (selector: string, name: string) => page.$eval(selector, (el, n) => el.getAttribute(n), name).catch(() => null);

describe("the console in Firefox", { timeout: 300_000 }, () => {
  it("logs in with a key; the overview shows the config's provider", async () => {
    await page.goto(`${hoosh.url}/console/`);
    await page.waitForSelector("#key");
    await page.type("#key", ADMIN_KEY);
    await page.click("button[type='submit']");
    await page.waitForSelector("[data-testid='providers'] td");
    await expect.poll(() => textOf("[data-testid='providers']"), SLOW).toContain("fake");
    expect(await textOf("[data-testid='providers']")).toContain("openai");
    problems.push(...(await cspReports(page)));
    await firefoxScreenshot(page, "firefox-overview");
  });

  it("playground: the answer streams in, growing, until Cancel", async () => {
    await page.goto(`${hoosh.url}/console/#/playground`);
    await page.waitForSelector("#model option[value='fake-long-stream']");
    await page.select("#model", "fake-long-stream");
    await page.evaluate(`window.__seen = []; { const el = document.getElementById("answer"); new MutationObserver(() => window.__seen.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true }); }`);
    await page.click("form.playground button[type='submit']");
    const distinct = async () => [...new Set(((await page.evaluate("window.__seen")) as string[]).filter((t) => t.length > 0))];
    await expect.poll(async () => (await distinct()).length, SLOW).toBeGreaterThanOrEqual(3);
    const seen = await distinct();
    expect(seen[0]).toMatch(/^tick0/);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.startsWith(seen[i - 1]!)).toBe(true);
    await page.click("form.playground button[type='button']"); // Cancel
    await expect.poll(() => attrOf("[data-testid='outcome']", "data-status"), SLOW).toBe("cancelled");
    problems.push(...(await cspReports(page)));
    await firefoxScreenshot(page, "firefox-playground");
  });

  it("speech: an uploaded WAV is transcribed", async () => {
    const wav = join(scratch, "flite.wav");
    await writeFile(wav, await fliteWav());
    await page.goto(`${hoosh.url}/console/#/speech`);
    await page.waitForSelector("#stt-model option[value='pocketsphinx-en']");
    await page.select("#stt-model", "pocketsphinx-en");
    const input = await page.waitForSelector("#stt-file");
    await input!.uploadFile(wav);
    await page.click("form[aria-labelledby='stt-title'] button[type='submit']");
    await expect.poll(() => attrOf("#transcript", "data-status"), { timeout: 240_000 }).toBe("done");
    const text = await textOf("#transcript");
    expect(wordAccuracy(FLITE_TEXT, text), text).toBeGreaterThanOrEqual(0.85);
    problems.push(...(await cspReports(page)));
    await firefoxScreenshot(page, "firefox-speech");
  });

  it("speech: Speak plays flite's MP3 from a blob: URL with a duration Firefox reads", async () => {
    await page.waitForSelector("#tts-model option[value='flite']");
    await page.select("#tts-model", "flite");
    await page.click("form[aria-labelledby='tts-title'] button[type='submit']");
    await page.waitForSelector("#speech-audio");
    expect(await attrOf("#speech-audio", "src")).toMatch(/^blob:/);
    const duration = await page.evaluate(
      `(() => { const a = document.getElementById("speech-audio"); return a.readyState >= 1 ? a.duration : new Promise((ok, fail) => { a.addEventListener("loadedmetadata", () => ok(a.duration)); a.addEventListener("error", () => fail(new Error("audio error " + (a.error && a.error.code)))); }); })()`,
    );
    expect(duration).toBeGreaterThan(0.5);
    expect(Number.isFinite(duration)).toBe(true);
    problems.push(...(await cspReports(page)));
  });

  it("no uncaught errors and no CSP violations", () => {
    expect(problems).toEqual([]);
  });

  it("the CSP check sees a violation when there is one (an inline style attribute)", async () => {
    await page.goto(`${hoosh.url}/console/`);
    await page.evaluate(`document.body.setAttribute("style", "color: red")`);
    await expect.poll(async () => (await cspReports(page)).length, SLOW).toBeGreaterThan(0);
  });
});
