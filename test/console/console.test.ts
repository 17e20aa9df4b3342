// The web console end to end: a bundled hoosh (with its console built the way `npm run build`
// builds it) in front of the fake OpenAI upstream, driven by headless Debian chromium. Each page
// is saved as a screenshot under test-artifacts/console/.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminService } from "../../gen/ts/hoosh/v1/admin_pb.js";
import type { FakeClientClosedEvent, FakeOpenAI } from "../fakes/spawn.js";
import type { Bundle } from "../harness/bundle.js";
import { startHoosh, type Hoosh } from "../harness/hoosh.js";
import { openConsolePage, screenshot, watchedPage, type PageProblems } from "./browser.js";
import { ADMIN_KEY, config, INFERENCE_KEY, openConfig, READER_KEY, SLOW } from "./fixture.js";
import { startChromiumConsole, stopChromiumConsole } from "./rig.js";

let bundle: Bundle;
let fake: FakeOpenAI;
let hoosh: Hoosh;
let browser: Browser;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  ({ bundle, fake, hoosh, browser, page, problems } = await startChromiumConsole((url) => config(url)));
}, 180_000);

afterAll(() => stopChromiumConsole({ bundle, fake, hoosh, browser }));

const consoleUrl = () => `${hoosh.url}/console/`;

/** A page of the console by hash change (no reload), logged in as admin. */
const openPage = (hash: string) => openConsolePage(page, hoosh.url, hash, ADMIN_KEY, false);

describe("serving", () => {
  it("index.html: strict CSP, no-cache; hashed assets: a year; unknown asset: 404", async () => {
    const index = await fetch(consoleUrl());
    expect(index.status).toBe(200);
    const csp = index.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const html = await index.text();
    expect(html).not.toMatch(/<script>|<style>|style="/); // nothing inline
    const script = /src="\.\/assets\/(main-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${hoosh.url}/console/assets/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).toContain("text/javascript");
    await asset.arrayBuffer();
    const missing = await fetch(`${hoosh.url}/console/assets/main-NOTAHASH.js`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("no console file");
  });
});

describe("WatchStats access", () => {
  it("admin and budgets:read keys may watch; an inference-only key is PERMISSION_DENIED; no key is UNAUTHENTICATED", async () => {
    const first = async (key?: string) => {
      const client = createClient(AdminService, createConnectTransport({ baseUrl: hoosh.url, httpVersion: "1.1", ...(key ? { interceptors: [(next) => (req) => (req.header.set("authorization", `Bearer ${key}`), next(req))] } : {}) }));
      const controller = new AbortController();
      try {
        for await (const s of client.watchStats({ intervalMs: 250 }, { signal: controller.signal })) return s.providers.map((p) => p.name);
        return [];
      } catch (err) {
        return Code[ConnectError.from(err).code];
      } finally {
        controller.abort();
      }
    };
    expect(await first(ADMIN_KEY)).toEqual(["fake"]);
    expect(await first(READER_KEY)).toEqual(["fake"]);
    expect(await first(INFERENCE_KEY)).toBe("PermissionDenied");
    expect(await first()).toBe("Unauthenticated");
  });
});

describe("in the browser", { timeout: 60_000 }, () => {
  it("asks for a key, refuses a wrong one in plain words, logs in with an admin key; the overview shows the config's provider, live", async () => {
    await page.goto(consoleUrl());
    await page.getByLabel(/API key/).fill("hk_wrong_key_0000000000");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent(), SLOW).toContain("The key was not accepted");
    await screenshot(page, "login");

    await page.getByLabel(/API key/).fill(ADMIN_KEY);
    await page.getByRole("button", { name: "Log in" }).click();
    const providers = page.getByTestId("providers");
    await providers.getByRole("cell", { name: "fake", exact: true }).waitFor();
    expect(await providers.textContent()).toContain("openai");
    expect(await page.evaluate('sessionStorage.getItem("hoosh.console.key")')).toBe(ADMIN_KEY);

    // Live: a request made elsewhere shows up in today's count without a reload.
    const before = await page.getByTestId("tiles").textContent();
    const res = await fetch(`${hoosh.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify({ model: "fake-model", messages: [{ role: "user", content: "counted" }] }),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await expect.poll(async () => (await page.getByTestId("tiles").textContent()) !== before, SLOW).toBe(true);
    await page.locator(".chart canvas").first().waitFor();
    await screenshot(page, "overview");
  });

  it("playground: streams the fake's answer, with provider, tokens and time to first token", async () => {
    await openPage("#/playground");
    await page.locator("#model option[value='fake-model']").waitFor({ state: "attached" });
    await page.selectOption("#model", "fake-model");
    await page.fill("#prompt", "one two three four five six seven eight");
    await page.getByRole("button", { name: "Send" }).click();
    const outcome = page.getByTestId("outcome");
    await expect.poll(() => outcome.getAttribute("data-status"), SLOW).toBe("done");
    expect(await page.locator("#answer").textContent()).toBe("echo: one two three four five six seven eight");
    const text = (await outcome.textContent()) ?? "";
    expect(text).toContain("fake");
    expect(text).toMatch(/Time to first token\d+ ms/);
    expect(text).toMatch(/Tokens in \/ out\d+ \/ \d+/);
    await screenshot(page, "playground");
  });

  it("playground: streams token by token; Cancel stops the stream and the upstream request", async () => {
    await fake.reset();
    await openPage("#/playground");
    await page.locator("#model option[value='fake-long-stream']").waitFor({ state: "attached" });
    await page.selectOption("#model", "fake-long-stream");
    // Every text the answer shows while it streams (the fake sends one "tickN" per chunk, 50 ms apart).
    await page.evaluate(`window.__seen = []; { const el = document.getElementById("answer"); new MutationObserver(() => window.__seen.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true }); }`);
    await page.getByRole("button", { name: "Send" }).click();
    // Wait for several renders of a growing answer (the stream lasts ~60 s, so this is a condition, not a race).
    const distinct = async () => [...new Set(((await page.evaluate("window.__seen")) as string[]).filter((t) => t.length > 0))];
    await expect.poll(async () => (await distinct()).length, SLOW).toBeGreaterThanOrEqual(3);
    const seen = await distinct();
    expect(seen[0]).toMatch(/^tick0/);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.startsWith(seen[i - 1]!)).toBe(true);
    expect(seen.at(-1)).not.toContain("tick1199"); // still streaming
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => page.getByTestId("outcome").getAttribute("data-status"), SLOW).toBe("cancelled");
    const closed = (await fake.waitForEvent((e) => e.type === "client-closed" && e.model === "fake-long-stream", 15_000)) as FakeClientClosedEvent;
    expect(closed.afterChunks).toBeLessThan(1200);
  });

  it("budgets: the pool's bar reflects a request just made", async () => {
    await openPage("#/budgets");
    const pool = page.locator("[data-pool='default']");
    await pool.waitFor();
    const usedNow = async () => Number(await pool.locator("[data-used]").getAttribute("data-used"));
    const before = await usedNow();
    expect(await pool.textContent()).toContain("limit 1,000,000 tokens");
    const res = await fetch(`${hoosh.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify({ model: "fake-model", messages: [{ role: "user", content: "charge the default pool" }] }),
    });
    const usage = ((await res.json()) as { usage: { total_tokens: number } }).usage;
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect.poll(usedNow, SLOW).toBe(before + usage.total_tokens);
    // Spend by model (GetUsageReport) counts it too.
    await page.getByTestId("spend").getByRole("cell", { name: "fake-model", exact: true }).waitFor();
    // By team: the config key has none, so its spend is the "(unknown)" row.
    await page.selectOption("#spend-group", "team");
    await page.getByTestId("spend").getByRole("columnheader", { name: "team" }).waitFor();
    await page.getByTestId("spend").getByRole("cell", { name: "(unknown)", exact: true }).waitFor();
    await screenshot(page, "budgets");
  });

  it("budgets: an admin creates a pool and changes its limit", async () => {
    await openPage("#/budgets");
    await page.fill("#pool-name", "console-made");
    await page.fill("#pool-capacity", "5000");
    await page.getByRole("button", { name: "Create" }).click();
    await page.locator("[data-pool='console-made']").waitFor();
    expect(await page.locator("[data-pool='console-made']").textContent()).toContain("limit 5,000 tokens");
    await page.fill("#pool-capacity", "7000");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.locator("[data-pool='console-made']").textContent(), SLOW).toContain("limit 7,000 tokens");
  });

  it("providers and models, hardware and cache pages render from their RPCs", async () => {
    await openPage("#/providers");
    const provider = page.locator("[data-provider='fake']");
    await provider.getByRole("cell", { name: "fake-long-stream", exact: true }).waitFor();
    await expect.poll(() => provider.textContent(), SLOW).toContain("Breaker: closed");
    await screenshot(page, "providers");

    await openPage("#/hardware");
    await page.getByTestId("hardware").waitFor();
    await page.getByTestId("cache").waitFor();
    expect(await page.getByTestId("hardware").textContent()).toMatch(/free of/);
    await page.fill("#placement-params", "0.5");
    await page.getByRole("button", { name: "Recommend" }).click();
    await page.getByTestId("placement").waitFor();
    expect(await page.getByTestId("placement").textContent()).toMatch(/PlacementCPU only|all on the GPU|split between/);
    await screenshot(page, "hardware");
  });

  it("a read-scope key sees the overview; an admin-only action answers in plain words", async () => {
    const { page: p, problems: readerProblems } = await watchedPage(browser, { width: 390, height: 844 });
    await p.goto(consoleUrl());
    await p.getByLabel(/API key/).fill(READER_KEY);
    await p.getByRole("button", { name: "Log in" }).click();
    await p.getByTestId("providers").getByRole("cell", { name: "fake", exact: true }).waitFor();
    await screenshot(p, "overview-390px");
    await p.goto(`${consoleUrl()}#/budgets`);
    await p.fill("#pool-name", "not-allowed");
    await p.getByRole("button", { name: "Create" }).click();
    await expect.poll(() => p.getByRole("status").textContent(), SLOW).toContain("This key is not allowed to do this");
    expect(readerProblems).toEqual({ csp: [], errors: [] });
    await p.close();
  });

  it("keyboard: Tab reaches the navigation, Enter opens a page, the playground's form works without a mouse", async () => {
    await openPage("#/overview");
    // Tab until the Playground link has focus (it is among the first few stops).
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press("Tab");
      if ((await page.evaluate("document.activeElement && document.activeElement.textContent")) === "Playground") break;
    }
    await page.keyboard.press("Enter");
    await page.locator("main[data-page='playground']").waitFor();
    await page.locator("#model option[value='fake-model']").waitFor({ state: "attached" });
    await page.selectOption("#model", "fake-model");
    await page.focus("#model");
    await page.keyboard.press("Tab"); // to the message
    await page.keyboard.type(" by keyboard");
    await page.keyboard.press("Tab"); // to Send
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByTestId("outcome").getAttribute("data-status"), SLOW).toBe("done");
    expect(await page.locator("#answer").textContent()).toMatch(/by keyboard$/);
  });

  it("no CSP violations and no uncaught errors on any page", () => {
    expect(problems).toEqual({ csp: [], errors: [] });
  });

  it("the CSP check sees a violation when there is one (an inline style attribute)", async () => {
    const { page: p, problems: seen } = await watchedPage(browser);
    await p.goto(consoleUrl());
    await p.evaluate(`document.body.setAttribute("style", "color: red")`);
    await expect.poll(() => seen.csp.length, SLOW).toBeGreaterThan(0);
    await p.close();
  });
});

describe("other configs", { timeout: 60_000 }, () => {
  it("no [[keys]] on a loopback bind: the console opens without a login", async () => {
    const open = await startHoosh(openConfig(fake.baseUrl), { bundle });
    const { page: p, problems: seen } = await watchedPage(browser);
    try {
      await p.goto(`${open.url}/console/`);
      await p.getByTestId("providers").getByRole("cell", { name: "fake", exact: true }).waitFor();
      expect(await p.locator("header").textContent()).toContain("no keys configured");
      expect(await p.getByLabel(/API key/).count()).toBe(0);
      expect(seen).toEqual({ csp: [], errors: [] });
    } finally {
      await p.close();
      await open.stop();
    }
  });

  it("[console] enabled = false serves no console", async () => {
    const off = await startHoosh(config(fake.baseUrl, "[console]\nenabled = false\n"), { bundle });
    try {
      const res = await fetch(`${off.url}/console/`);
      expect(res.status).toBe(404);
      await res.arrayBuffer();
    } finally {
      await off.stop();
    }
  });
});
