// Bundles the web console (clients/console) for browsers into <outdir>: index.html plus
// assets/<name>-<hash>.js|css (content-hashed names, so the server may cache them for a year;
// index.html is the one file it revalidates). Everything is bundled: no CDN, no runtime download.
import { readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const CONSOLE = join(REPO_ROOT, "clients", "console");

export async function buildConsole(outdir: string): Promise<void> {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const assets = join(outdir, "assets");
  const result = await build({
    entryPoints: [join(CONSOLE, "src", "main.tsx")],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: ["chrome120", "firefox120", "safari17"],
    minify: true,
    sourcemap: false,
    jsx: "automatic",
    jsxImportSource: "preact",
    outdir: assets,
    entryNames: "[name]-[hash]",
    assetNames: "[name]-[hash]",
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
  const script = outputs.find((n) => n.endsWith(".js"));
  const style = outputs.find((n) => n.endsWith(".css"));
  if (!script || !style) throw new Error(`console build: expected one .js and one .css output, got ${outputs.join(", ")}`);
  const html = (await readFile(join(CONSOLE, "index.html"), "utf8")).replace("__SCRIPT__", script).replace("__STYLE__", style);
  await writeFile(join(outdir, "index.html"), html);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildConsole(join(REPO_ROOT, "dist", "console"));
}
