// The web console: bundle size (raw and gzip, what the server sends) and first render on loopback.
// Builds hoosh and its console like `npm run build` (into .test-bundle/, beside node_modules), serves them with no keys
// on 127.0.0.1 in front of the mock upstream, and opens /console/ in headless Debian chromium
// (playwright-core) RUNS times, each in a fresh browser context (cold cache), then RUNS times
// reloading in one context (hashed assets cached). Per run, on the page's own clock from navigation
// start: first contentful paint, the app shell (navigation) rendered, and the overview showing the
// first WatchStats message (its provider table).
// Run: node --import tsx bench/console.ts [RUNS]
import { readdir, readFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type BrowserContext } from "playwright-core";
import { bundleHoosh } from "../test/harness/bundle.js";
import { startHoosh } from "../test/harness/hoosh.js";
import { startMockUpstream } from "./mock-upstream/spawn.js";

const runs = Number(process.argv[2] ?? 10);

interface Render {
  fcp: number;
  shell: number;
  overview: number;
}

// Browser-side: note when the shell and the overview's provider table first appear.
const OBSERVE = `
window.__marks = {};
new MutationObserver(() => {
  const m = window.__marks;
  if (m.shell === undefined && document.querySelector("header nav")) m.shell = performance.now();
  if (m.overview === undefined && document.querySelector("[data-testid=providers] td")) m.overview = performance.now();
}).observe(document, { childList: true, subtree: true });`;

async function measure(context: BrowserContext, url: string, reuse?: import("playwright-core").Page): Promise<Render> {
  const page = reuse ?? (await context.newPage());
  await page.goto(url);
  await page.waitForSelector("[data-testid=providers] td");
  const r = (await page.evaluate(`({ ...window.__marks, fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN })`)) as Render;
  if (!reuse) await page.close();
  return r;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
};
const row = (label: string, xs: number[]) => {
  const { median, min, max } = stats(xs);
  return `| ${label} | ${median.toFixed(0)} ms | ${min.toFixed(0)} | ${max.toFixed(0)} |`;
};

const bundle = await bundleHoosh();
const dir = bundle.dir;
const assetsDir = join(dir, "console", "assets");
const files = ["index.html", ...(await readdir(assetsDir)).map((n) => join("assets", n))];
console.log(`## Console bundle (${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC)\n`);
console.log("| file | raw | gzip -9 (as served) |\n|---|---|---|");
let raw = 0;
let gz = 0;
for (const f of files) {
  const body = await readFile(join(dir, "console", f));
  const z = gzipSync(body, { level: 9 }).length;
  raw += body.length;
  gz += z;
  console.log(`| ${f.replace(/-[A-Z0-9]{8}\./, "-HASH.")} | ${(body.length / 1024).toFixed(1)} KB | ${(z / 1024).toFixed(1)} KB |`);
}
console.log(`| **total** | ${(raw / 1024).toFixed(1)} KB | **${(gz / 1024).toFixed(1)} KB** (goal ≤ 250 KB) |\n`);

const upstream = await startMockUpstream();
const hoosh = await startHoosh(`[server]\nbind = "127.0.0.1"\n\n[[providers]]\nname = "mock"\ntype = "openai"\nbase_url = "${upstream.baseUrl}"\nmodels = ["bench"]\n`, { bundle });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--headless", "--no-sandbox"] });
try {
  const url = `${hoosh.url}/console/`;
  const cold: Render[] = [];
  const warm: Render[] = [];
  // One warm-up (the server reads and gzips the files on the first request).
  {
    const c = await browser.newContext();
    await c.addInitScript(OBSERVE);
    await measure(c, url);
    await c.close();
  }
  for (let i = 0; i < runs; i++) {
    const c = await browser.newContext();
    await c.addInitScript(OBSERVE);
    cold.push(await measure(c, url));
    await c.close();
  }
  const c = await browser.newContext();
  await c.addInitScript(OBSERVE);
  const page = await c.newPage();
  await measure(c, url, page);
  for (let i = 0; i < runs; i++) warm.push(await measure(c, url, page));
  await c.close();

  console.log(`## Console first render on loopback (${runs} runs each, load average ${loadavg()[0]!.toFixed(2)})\n`);
  console.log("| measure (from navigation start, page clock) | median | min | max |\n|---|---|---|---|");
  console.log(row("cold cache: first contentful paint", cold.map((r) => r.fcp)));
  console.log(row("cold cache: app shell rendered", cold.map((r) => r.shell)));
  console.log(row("cold cache: overview with live figures (first WatchStats message)", cold.map((r) => r.overview)));
  console.log(row("warm cache: app shell rendered", warm.map((r) => r.shell)));
  console.log(row("warm cache: overview with live figures", warm.map((r) => r.overview)));
  console.log("\nGoal: first render ≤ 500 ms.");
} finally {
  await browser.close();
  await hoosh.stop();
  await upstream.stop();
  await bundle.remove();
}
