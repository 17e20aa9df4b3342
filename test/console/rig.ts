// What the chromium console tests share: a bundled hoosh (its console built the way `npm run
// build` builds it) on a config written for the fake OpenAI upstream, headless Debian chromium and
// one watched page. A start that fails half-way stops what it had started before rethrowing.
import type { Browser, Page } from "playwright-core";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";
import { bundleHoosh, type Bundle } from "../harness/bundle.js";
import { startHoosh, type Hoosh } from "../harness/hoosh.js";
import { launchChromium, watchedPage, type PageProblems } from "./browser.js";

export interface ChromiumConsole {
  bundle: Bundle;
  fake: FakeOpenAI;
  hoosh: Hoosh;
  browser: Browser;
  page: Page;
  problems: PageProblems;
}

export async function startChromiumConsole(configFor: (fakeBaseUrl: string) => string): Promise<ChromiumConsole> {
  const rig: Partial<ChromiumConsole> = {};
  try {
    const started = await Promise.allSettled([
      bundleHoosh().then((b) => (rig.bundle = b)),
      startFakeOpenAI().then((f) => (rig.fake = f)),
      launchChromium().then((b) => (rig.browser = b)),
    ]);
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    rig.hoosh = await startHoosh(configFor(rig.fake!.baseUrl), { bundle: rig.bundle! });
    ({ page: rig.page, problems: rig.problems } = await watchedPage(rig.browser!));
    return rig as ChromiumConsole;
  } catch (err) {
    await stopChromiumConsole(rig);
    throw err;
  }
}

/** Stops whatever of `rig` was started (any part may be missing). */
export async function stopChromiumConsole(rig: Partial<ChromiumConsole>): Promise<void> {
  await rig.browser?.close();
  await rig.hoosh?.stop();
  await rig.fake?.stop();
  await rig.bundle?.remove();
}
