// Headless Firefox ESR from Debian's `firefox-esr` package (scripts/install-system-deps.sh installs
// it), driven by puppeteer-core over WebDriver BiDi; no browser download. playwright-core cannot
// drive a stock Firefox (it needs its own patched build). A missing firefox-esr fails the test,
// naming the fix, exactly as a missing chromium does (browser.ts).
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { ARTIFACTS } from "./browser.js";

export const FIREFOX = "/usr/bin/firefox-esr";

export async function launchFirefox(): Promise<Browser> {
  if (!existsSync(FIREFOX)) {
    throw new Error(`${FIREFOX} is missing: the console's Firefox test needs Debian's firefox-esr package; run scripts/install-system-deps.sh (as root)`);
  }
  // A busy 2-core machine: generous protocol timeouts rather than flaky ones.
  return puppeteer.launch({ browser: "firefox", executablePath: FIREFOX, headless: true, protocolTimeout: 120_000, timeout: 120_000 });
}

/** Uncaught errors and console CSP lines of a page, for a test to look at; cspReports() reads the page's own CSP events. */
export async function watchedFirefoxPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 860 });
  page.setDefaultTimeout(30_000);
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  // Browser-side code as text: this project's tsconfig has no DOM types.
  await page.evaluateOnNewDocument(
    `window.__csp = []; document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " blocked " + e.blockedURI));`,
  );
  page.on("console", (m) => {
    if (/content.security.policy/i.test(m.text())) problems.push(m.text());
  });
  return { page, problems };
}

export async function firefoxScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) as `${string}.png`, fullPage: true });
}

/** The CSP violations the current document has seen since it loaded. */
export async function cspReports(page: Page): Promise<string[]> {
  return (await page.evaluate("window.__csp || []")) as string[];
}
