// Micro benchmark: parsing a full configuration (parseConfig of
// test/fixtures/config/full.toml: TOML parse, ${ENV} expansion, presets, zod
// schema validation), beside the Rust original's published median (18 µs).
// Run: node --import tsx bench/micro/config.ts
import { readFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import { parseConfig } from "../../server/config/load.js";
import { measure } from "./measure.js";

const FULL = new URL("../../test/fixtures/config/full.toml", import.meta.url);
const text = readFileSync(FULL, "utf8");
const opts = { source: "full.toml", env: { OPENAI_API_KEY: "sk-bench-openai", ANTHROPIC_API_KEY: "sk-ant-bench" } };

/** Calls per round (bench/micro/measure.ts). */
const ITERATIONS = 2_000;

const rows = [
  ["config parse, full.toml (parseConfig: TOML + env + presets + zod)", measure(() => parseConfig(text, opts), ITERATIONS), 18_000],
  ["  of which TOML parse alone (smol-toml)", measure(() => parseToml(text), ITERATIONS), undefined],
] as const;

console.log(`config micro benchmark: full.toml, ${text.length} bytes (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`);
console.log("| operation | hoosh median | Rust original median | ratio |\n|---|---|---|---|");
const fmt = (ns: number) => (ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(0)} ns`);
for (const [name, ns, rust] of rows) console.log(`| ${name} | ${fmt(ns)} | ${rust === undefined ? "—" : fmt(rust)} | ${rust === undefined ? "—" : `${(ns / rust).toFixed(1)}×`} |`);
