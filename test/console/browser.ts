// Headless Chromium from Debian's `chromium` package (scripts/install-system-deps.sh installs it),
// driven by playwright-core; no browser download. A missing chromium fails the test, naming the fix.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { REPO_ROOT } from "../harness/hoosh.js";

export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = join(REPO_ROOT, "test-artifacts", "console");

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the console tests need Debian's chromium package; run scripts/install-system-deps.sh (as root)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--headless", "--no-sandbox"] });
}

/** What a page reported that a test should look at: CSP violations and uncaught errors. */
export interface PageProblems {
  csp: string[];
  errors: string[];
}

/** A page that records CSP violations (the browser's own event and console lines) and uncaught errors. */
export async function watchedPage(browser: Browser, viewport = { width: 1280, height: 860 }): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage({ viewport });
  // Under the tests' own 60 s limit, so a missing element fails with playwright's message, not a timeout.
  page.setDefaultTimeout(20_000);
  const problems: PageProblems = { csp: [], errors: [] };
  await page.exposeFunction("__reportCsp", (s: string) => problems.csp.push(s));
  // Browser-side code as text: this project's tsconfig has no DOM types.
  await page.addInitScript(`document.addEventListener("securitypolicyviolation", (e) => window.__reportCsp(e.violatedDirective + " blocked " + e.blockedURI + " (" + e.sourceFile + ":" + e.lineNumber + ")"));`);
  page.on("console", (m) => {
    if (m.type() === "error" && /content security policy/i.test(m.text())) problems.csp.push(m.text());
  });
  page.on("pageerror", (e) => problems.errors.push(String(e)));
  return { page, problems };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Opens the console page `hash` ("#/keys") of the hoosh at `url` and waits for that page, logging
 * in with `key` when the tab's session has none. `fresh`: from about:blank first, so nothing of an
 * earlier test's page state stays (the tab's sessionStorage, and with it the login, does).
 */
export async function openConsolePage(page: Page, url: string, hash: string, key: string, fresh = true): Promise<void> {
  if (fresh) await page.goto("about:blank");
  await page.goto(`${url}/console/${hash}`);
  await page.locator("#key, main[data-page]").first().waitFor();
  if ((await page.locator("#key").count()) > 0) {
    await page.fill("#key", key);
    await page.getByRole("button", { name: "Log in" }).click();
  }
  await page.locator(`main[data-page='${hash.replace("#/", "")}']`).waitFor();
}
