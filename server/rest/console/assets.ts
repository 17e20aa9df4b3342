// The console's built files (scripts/build-console.ts writes them into <dist>/console): read once,
// on the first request (never at startup: most servers are never asked for the console), kept in
// memory with a gzip copy. index.html is the only unhashed file; every other file's name carries a
// hash of its content, so it may be cached for a year.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzip } from "node:zlib";

const gzipAsync = promisify(gzip);

export interface Asset {
  body: Buffer;
  gzipped: Buffer;
  contentType: string;
}

export interface ConsoleFiles {
  index: Asset;
  /** By file name under assets/. */
  assets: Map<string, Asset>;
}

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  html: "text/html; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  woff2: "font/woff2",
  map: "application/json",
};

/**
 * Where the built console is: beside the bundled server (dist/hoosh.js → dist/console), or, when
 * hoosh runs from its sources, the repository's dist/console (from `npm run build`).
 */
export function defaultConsoleDirs(): string[] {
  return [fileURLToPath(new URL("./console/", import.meta.url)), fileURLToPath(new URL("../../../dist/console/", import.meta.url))];
}

async function asset(path: string): Promise<Asset> {
  const body = await readFile(path);
  const ext = path.slice(path.lastIndexOf(".") + 1);
  return { body, gzipped: await gzipAsync(body, { level: 9 }), contentType: TYPES[ext] ?? "application/octet-stream" };
}

async function loadFrom(dir: string): Promise<ConsoleFiles> {
  const index = await asset(join(dir, "index.html"));
  const assets = new Map<string, Asset>();
  for (const name of await readdir(join(dir, "assets"))) assets.set(name, await asset(join(dir, "assets", name)));
  return { index, assets };
}

/** The first of `dirs` that holds a built console; throws naming them all when none does. */
export async function loadConsoleFiles(dirs: readonly string[]): Promise<ConsoleFiles> {
  for (const dir of dirs) {
    try {
      return await loadFrom(dir);
    } catch {
      // not built here; try the next place
    }
  }
  throw new Error(`the web console is not built (looked in ${dirs.join(", ")}): run \`npm run build\`, which bundles clients/console into dist/console`);
}
