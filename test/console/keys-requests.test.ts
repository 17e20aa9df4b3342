// The console's Keys and Requests pages end to end: a bundled hoosh (request log with payloads on)
// in front of the fake OpenAI upstream, driven by headless Debian chromium. Secrets made in the
// browser are used for real REST calls; requests made over REST show up live in the browser.
// Screenshots go to test-artifacts/console/.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeOpenAI } from "../fakes/spawn.js";
import type { Bundle } from "../harness/bundle.js";
import type { Hoosh } from "../harness/hoosh.js";
import { openConsolePage, screenshot, watchedPage, type PageProblems } from "./browser.js";
import { ADMIN_KEY, config, READER_KEY, SLOW } from "./fixture.js";
import { startChromiumConsole, stopChromiumConsole } from "./rig.js";

let bundle: Bundle;
let fake: FakeOpenAI;
let hoosh: Hoosh;
let browser: Browser;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  ({ bundle, fake, hoosh, browser, page, problems } = await startChromiumConsole((url) => config(url, "[log]\npayloads = true\n")));
}, 180_000);

afterAll(() => stopChromiumConsole({ bundle, fake, hoosh, browser }));

/** Opens a page of the console on `p`, freshly loaded (no state of an earlier test), logged in as admin. */
const openPage = (hash: string, p: Page = page) => openConsolePage(p, hoosh.url, hash, ADMIN_KEY);

/** A real OpenAI-style REST call with `key`; its HTTP status (the body is read to the end). */
async function chat(key: string, model = "fake-model", content = "hello"): Promise<number> {
  const res = await fetch(`${hoosh.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content }] }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Fills the create form's name and submits it with the mouse; returns the secret shown. */
async function createKey(name: string): Promise<string> {
  await page.fill("#kf-name", name);
  await page.getByRole("button", { name: "Create key" }).click();
  await page.getByTestId("secret").waitFor();
  return page.locator("#secret-value").inputValue();
}

const row = (name: string) => page.locator(`[data-testid='keys'] tr[data-key='${name}']`);

describe("Keys page", { timeout: 90_000 }, () => {
  it("lists the config file's keys read-only", async () => {
    await openPage("#/keys");
    await row("admin").waitFor();
    expect(await row("admin").textContent()).toContain("config file (read-only)");
    expect(await row("admin").getByRole("button").count()).toBe(0);
  });

  it("creating a key shows its secret once, with a copy button; the secret works for REST; it is gone after leaving or reloading", async () => {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: hoosh.url });
    await openPage("#/keys");
    await page.fill("#kf-models", "fake-*");
    await page.fill("#kf-rpm", "600");
    const secret = await createKey("console-made");
    expect(secret).toMatch(/^hk_[A-Za-z0-9_-]{40,}$/);
    expect(await page.getByTestId("secret").textContent()).toContain("shown only this once");
    await page.getByRole("button", { name: "Copy" }).click();
    await expect.poll(() => page.getByTestId("secret").getByRole("status").textContent(), SLOW).toBe("Copied to the clipboard.");
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(secret);
    await row("console-made").waitFor();
    expect(await row("console-made").textContent()).toMatch(/active.*inference.*fake-\*.*600 req\/min/);
    await screenshot(page, "keys-secret");

    expect(await chat(secret)).toBe(200);

    // Away and back: no trace of it in the page or the tab's storage.
    await page.getByRole("link", { name: "Overview" }).click();
    await page.locator("main[data-page='overview']").waitFor();
    await page.getByRole("link", { name: "Keys" }).click();
    await row("console-made").waitFor();
    expect(await page.getByTestId("secret").count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await row("console-made").waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(await page.evaluate("JSON.stringify(sessionStorage) + JSON.stringify(localStorage)")).not.toContain(secret);
  });

  it("limits, a budget and an expiry given in the form reach hoosh", async () => {
    await openPage("#/keys");
    await page.fill("#kf-tpm", "20000");
    await page.fill("#kf-concurrent", "3");
    await page.fill("#kf-tokens", "5000");
    await page.fill("#kf-usd", "2.5");
    await page.selectOption("#kf-period", "monthly");
    await page.fill("#kf-expiry", "2099-12-31T23:30");
    await createKey("console-budgeted");
    const text = (await row("console-budgeted").textContent()) ?? "";
    expect(text).toContain("20,000 tok/min, 3 at once");
    expect(text).toMatch(/5,000 tokens \+ \$2\.50 a month \(key:k-[a-z0-9]+\)/);
    expect(text).toMatch(/2099/);
  });

  it("without a usable Clipboard API, Copy selects the secret and says how to copy it", async () => {
    await openPage("#/keys");
    await page.evaluate(`Object.defineProperty(navigator, "clipboard", { value: undefined, configurable: true })`);
    const secret = await createKey("console-no-clipboard");
    await page.getByRole("button", { name: "Copy" }).click();
    await expect.poll(() => page.getByTestId("secret").getByRole("status").textContent(), SLOW).toContain("press Ctrl+C");
    const selected = () => page.evaluate(`(() => { const e = document.activeElement; return e && e.id === "secret-value" ? e.value.slice(e.selectionStart, e.selectionEnd) : "focus on <" + (e && e.tagName) + " id=" + (e && e.id) + ">"; })()`);
    await expect.poll(selected, SLOW).toBe(secret);
  });

  it("revoking a key in the console makes its next REST call 401", async () => {
    await openPage("#/keys");
    const secret = await createKey("console-revoked");
    await page.getByRole("button", { name: "Done" }).click();
    expect(await chat(secret)).toBe(200);
    await page.getByRole("button", { name: "Revoke console-revoked" }).click();
    await page.getByTestId("key-action").waitFor();
    expect(await page.getByTestId("key-action").textContent()).toContain("cannot be undone");
    await screenshot(page, "keys-revoke");
    await page.getByRole("button", { name: "Revoke key" }).click();
    await row("console-revoked").waitFor({ state: "detached" });
    expect(await chat(secret)).toBe(401);
    await page.getByLabel("Show revoked keys").check();
    await row("console-revoked").waitFor();
    expect(await row("console-revoked").textContent()).toContain("revoked");
  });

  it("rotating gives a new secret (shown once) that works; with no grace period the old one stops", async () => {
    await openPage("#/keys");
    const old = await createKey("console-rotated");
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("button", { name: "Rotate console-rotated" }).click();
    await page.fill("#grace-amount", "0");
    await page.getByRole("button", { name: "Rotate key" }).click();
    await page.getByTestId("secret").waitFor();
    const fresh = await page.locator("#secret-value").inputValue();
    expect(fresh).toMatch(/^hk_/);
    expect(fresh).not.toBe(old);
    expect(await page.getByTestId("secret").textContent()).toContain("New secret of key console-rotated");
    expect(await chat(fresh)).toBe(200);
    expect(await chat(old)).toBe(401);
  });

  it("a rotation with a grace period keeps the old secret working and shows until when", async () => {
    await openPage("#/keys");
    const old = await createKey("console-grace");
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("button", { name: "Rotate console-grace" }).click();
    await page.fill("#grace-amount", "2");
    await page.selectOption("#grace-unit", "hours");
    await page.getByRole("button", { name: "Rotate key" }).click();
    const fresh = await page.locator("#secret-value").inputValue();
    expect(await chat(fresh)).toBe(200);
    expect(await chat(old)).toBe(200);
    await expect.poll(() => row("console-grace").textContent(), SLOW).toContain("old secret works until");
  });

  it("bad input: hoosh's error in plain words, naming the field, which is marked and focused", async () => {
    await openPage("#/keys");
    const alert = page.locator(".key-form [role='alert']");
    // Empty name.
    await page.fill("#kf-name", "");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect.poll(() => alert.textContent(), SLOW).toBe("hoosh did not accept the request. Name (key.name): is required");
    expect(await page.getAttribute("#kf-name", "aria-invalid")).toBe("true");
    await expect.poll(() => page.evaluate("document.activeElement.id"), SLOW).toBe("kf-name");
    // A name hoosh does not allow.
    await page.fill("#kf-name", "Has Spaces");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect.poll(() => alert.textContent(), SLOW).toContain('Name (key.name): "Has Spaces" is not a valid name');
    // No scope at all.
    await page.fill("#kf-name", "no-scopes");
    await page.uncheck("#kf-scope-inference");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect.poll(() => alert.textContent(), SLOW).toContain("Scopes (key.scopes): is empty; give at least one of: inference, transcribe");
    await page.check("#kf-scope-inference");
    // A model pattern that is not a glob.
    await page.fill("#kf-models", "fake-model\ngpt-[4");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect.poll(() => alert.textContent(), SLOW).toContain('Model patterns (key.models[1]): "gpt-[4" is not a valid model pattern');
    await expect.poll(() => page.evaluate("document.activeElement.id"), SLOW).toBe("kf-models");
    await page.fill("#kf-models", "");
    // A limit hoosh refuses, and text that is not a number (caught before sending, same wording).
    await page.fill("#kf-rpm", "0");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect.poll(() => alert.textContent(), SLOW).toContain("Requests per minute (key.limits.rpm): 0 is not allowed; must be 1 or more");
    await page.fill("#kf-rpm", "lots");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect.poll(() => alert.textContent(), SLOW).toBe('Requests per minute: "lots" is not a whole number (leave it empty for no limit).');
    await page.fill("#kf-rpm", "");
    // A team that does not exist.
    await page.fill("#kf-team", "nobody");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect.poll(() => alert.textContent(), SLOW).toContain('Team (key.team): team "nobody" does not exist');
    await screenshot(page, "keys-bad-input");
    // Nothing of it was created.
    expect(await page.locator("[data-testid='keys'] tr[data-key='no-scopes']").count()).toBe(0);
  });

  it("keyboard: Tab reaches Create key and Enter creates the key", async () => {
    await openPage("#/keys");
    await page.focus("#kf-name");
    await page.keyboard.type("by-keyboard");
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      if ((await page.evaluate("document.activeElement && document.activeElement.textContent")) === "Create key") break;
    }
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Create key");
    await page.keyboard.press("Enter");
    await page.getByTestId("secret").waitFor();
    // Focus moves to the secret, so a keyboard user can copy it at once.
    await expect.poll(() => page.evaluate("document.activeElement.tagName + '#' + document.activeElement.id"), SLOW).toBe("INPUT#secret-value");
    await row("by-keyboard").waitFor();
  });

  it("readable at 390 px wide", async () => {
    const { page: p, problems: narrow } = await watchedPage(browser, { width: 390, height: 844 });
    await openPage("#/keys", p);
    await p.locator("[data-testid='keys'] tr[data-key='admin']").waitFor();
    // The page itself does not scroll sideways (wide tables scroll inside their box).
    expect(await p.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await screenshot(p, "keys-390px");
    expect(narrow).toEqual({ csp: [], errors: [] });
    await p.close();
  });
});

describe("a key without the admin scope", { timeout: 90_000 }, () => {
  it("Keys and Requests say in plain words that the key lacks the scope", async () => {
    const { page: p, problems: seen } = await watchedPage(browser);
    await p.goto(`${hoosh.url}/console/#/keys`);
    await p.fill("#key", READER_KEY);
    await p.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => p.getByRole("alert").first().textContent(), SLOW).toContain("This key is not allowed to do this");
    await p.getByRole("link", { name: "Requests" }).click();
    await p.locator("main[data-page='requests']").waitFor();
    await expect.poll(() => p.getByRole("alert").first().textContent(), SLOW).toContain("This key is not allowed to do this");
    expect(await p.getByTestId("live").getAttribute("data-state")).not.toBe("on");
    expect(seen).toEqual({ csp: [], errors: [] });
    await p.close();
  });
});

describe("Requests page", { timeout: 90_000 }, () => {
  const rows = () => page.locator("[data-testid='requests'] tbody tr");

  it("shows a request made over REST live, with its fields in the detail; filters narrow the list", async () => {
    await openPage("#/requests");
    await expect.poll(() => page.getByTestId("live").getAttribute("data-state"), SLOW).toBe("on");
    await page.locator("[data-testid='requests'][aria-busy='false']").waitFor();
    const before = await rows().count();
    // Listening (the server's ready message): this request can only arrive through the tail.
    expect(await chat(ADMIN_KEY, "fake-logged", "please log this prompt")).toBe(200);
    const logged = page.locator("[data-testid='requests'] tbody tr", { hasText: "fake-logged" });
    await logged.first().waitFor();
    expect(await rows().count()).toBe(before + 1);
    expect(await logged.first().textContent()).toMatch(/OK.*fake-logged.*fake.*admin.*openai/);

    // A failure and another model, to filter by.
    expect(await chat(ADMIN_KEY, "fake-500", "this one fails")).not.toBe(200);
    await page.locator("[data-testid='requests'] tbody tr", { hasText: "fake-500" }).first().waitFor();
    await screenshot(page, "requests");

    await page.fill("#rf-model", "fake-logged");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect.poll(async () => (await rows().allTextContents()).every((t) => t.includes("fake-logged")) && (await rows().count()) > 0, SLOW).toBe(true);
    expect(await rows().count()).toBe(1);

    await page.fill("#rf-model", "");
    await page.selectOption("#rf-status", "error");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect.poll(async () => (await rows().allTextContents()).every((t) => !t.includes("OK")) && (await rows().count()) > 0, SLOW).toBe(true);
    expect(await rows().allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("fake-500")]));

    // Live through a filter: a new matching request arrives, a non-matching one does not.
    await page.selectOption("#rf-status", "");
    await page.fill("#rf-keyId", "admin");
    await page.fill("#rf-model", "fake-live-filter");
    await page.getByRole("button", { name: "Apply filters" }).click();
    // The filters' own (empty) first page, then listening: no stale state from the previous filters.
    await page.getByText("No requests match these filters").waitFor();
    await expect.poll(() => page.getByTestId("live").getAttribute("data-state"), SLOW).toBe("on");
    expect(await chat(ADMIN_KEY, "fake-model", "not this one")).toBe(200);
    expect(await chat(ADMIN_KEY, "fake-live-filter", "this one")).toBe(200);
    await page.locator("[data-testid='requests'] tbody tr", { hasText: "fake-live-filter" }).waitFor();
    expect(await rows().count()).toBe(1);

    // The detail of the first logged request.
    await page.getByRole("button", { name: "Clear" }).click();
    await logged.first().waitFor();
    // Ended before this tail listened, maybe not yet flushed to the store: listed all the same.
    await page.locator("[data-testid='requests'] tbody tr", { hasText: "fake-live-filter" }).waitFor();
    await logged.first().getByRole("button", { name: /Details of request/ }).click();
    const detail = page.getByTestId("request-detail");
    await detail.waitFor();
    const text = (await detail.textContent()) ?? "";
    for (const part of ["StatusOK", "Model asked forfake-logged", "Providerfake", "Keyadmin", "Edgeopenai", "Operationchat", "please log this prompt", "echo: please log this prompt"]) expect(text).toContain(part);
    expect(text).toMatch(/Tokens in \(cached\) \/ out \(reasoning\)\d+ \(0\) \/ \d+ \(0\)/);
    await screenshot(page, "requests-detail");
  });

  it('"Open in playground" lands on the playground with the logged model and prompt', async () => {
    await page.getByTestId("request-detail").getByRole("button", { name: "Open in playground" }).click();
    await page.locator("main[data-page='playground']").waitFor();
    await expect.poll(() => page.locator("#model").inputValue(), SLOW).toBe("fake-logged");
    expect(await page.locator("#prompt").inputValue()).toBe("please log this prompt");
    expect(await page.getByTestId("draft").textContent()).toContain("model fake-logged");
    // And it runs from there.
    await page.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => page.getByTestId("outcome").getAttribute("data-status"), SLOW).toBe("done");
    expect(await page.locator("#answer").textContent()).toBe("echo: please log this prompt");
    await screenshot(page, "requests-playground");
  });

  it("Pause live stops the tail; Resume lists what came meanwhile and listens again", async () => {
    await openPage("#/requests");
    await expect.poll(() => page.getByTestId("live").getAttribute("data-state"), SLOW).toBe("on");
    await page.getByRole("button", { name: "Pause live" }).click();
    await expect.poll(() => page.getByTestId("live").getAttribute("data-state"), SLOW).toBe("paused");
    expect(await chat(ADMIN_KEY, "fake-while-paused", "made while paused")).toBe(200);
    await page.getByRole("button", { name: "Resume live" }).click();
    await page.locator("[data-testid='requests'] tbody tr", { hasText: "fake-while-paused" }).waitFor();
    await expect.poll(() => page.getByTestId("live").getAttribute("data-state"), SLOW).toBe("on");
    expect(await chat(ADMIN_KEY, "fake-after-resume", "made after resuming")).toBe(200);
    await page.locator("[data-testid='requests'] tbody tr", { hasText: "fake-after-resume" }).waitFor();
  });

  it("Load older pages through ListRequests (one RPC per page)", async () => {
    for (let i = 0; i < 55; i++) expect(await chat(ADMIN_KEY, "fake-paged", `page filler ${i}`)).toBe(200);
    const rpcs: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("RequestLogService/ListRequests")) rpcs.push(r.url());
    });
    await openPage("#/requests");
    await page.fill("#rf-model", "fake-paged");
    await page.getByRole("button", { name: "Apply filters" }).click();
    const allPaged = async () => (await rows().allTextContents()).every((t) => t.includes("fake-paged"));
    await expect.poll(async () => (await rows().count()) === 50 && (await allPaged()), SLOW).toBe(true);
    const first = rpcs.length;
    await page.getByRole("button", { name: "Load older" }).click();
    await expect.poll(() => rows().count(), SLOW).toBe(55);
    expect(await allPaged()).toBe(true);
    expect(rpcs.length).toBe(first + 1);
    expect(await page.getByRole("button", { name: "Load older" }).count()).toBe(0);
  });

  it("readable at 390 px wide", async () => {
    const { page: p, problems: narrow } = await watchedPage(browser, { width: 390, height: 844 });
    await openPage("#/requests", p);
    await p.locator("[data-testid='requests'] tbody tr").first().waitFor();
    expect(await p.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await screenshot(p, "requests-390px");
    expect(narrow).toEqual({ csp: [], errors: [] });
    await p.close();
  });

  it("no CSP violations and no uncaught errors", () => {
    expect(problems).toEqual({ csp: [], errors: [] });
  });
});
