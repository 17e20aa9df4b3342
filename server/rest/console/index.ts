// GET /console/: the web console (clients/console), a browser app that reads everything through
// the public RPCs with the user's key. Served here as static files: no data, no auth (the RPCs
// check the key). On by default for loopback binds only ([console] enabled).
import { isLoopback } from "../../auth/limits.js";
import type { Config } from "../../config/index.js";
import type { HttpRequest, HttpResponse, RestHandler } from "../handler.js";
import { defaultConsoleDirs, loadConsoleFiles, type Asset, type ConsoleFiles } from "./assets.js";
import { ASSET_HEADERS, ERROR_HEADERS, INDEX_HEADERS } from "./headers.js";

export const CONSOLE_PATH = "/console/";
const ASSETS_PREFIX = "/console/assets/";

export function consoleEnabled(config: Pick<Config, "console" | "server">): boolean {
  return config.console?.enabled ?? isLoopback(config.server.bind);
}

function pathOf(url: string | undefined): string {
  const u = url ?? "/";
  const q = u.indexOf("?");
  return q < 0 ? u : u.slice(0, q);
}

function text(res: HttpResponse, status: number, message: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...ERROR_HEADERS, ...extra });
  res.end(`${message}\n`);
}

function send(req: HttpRequest, res: HttpResponse, a: Asset, headers: Record<string, string>): void {
  const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  const body = gzip ? a.gzipped : a.body;
  res.writeHead(200, { ...headers, "content-type": a.contentType, "content-length": String(body.length), vary: "accept-encoding", ...(gzip ? { "content-encoding": "gzip" } : {}) });
  if (req.method === "HEAD") res.end();
  else res.end(body);
}

export function createConsoleRest(dirs: readonly string[] = defaultConsoleDirs()): RestHandler {
  let files: Promise<ConsoleFiles> | undefined;
  const load = (): Promise<ConsoleFiles> => {
    // Keep a success; after a failure (not built yet) look again next time.
    files ??= loadConsoleFiles(dirs).catch((err: unknown) => {
      files = undefined;
      throw err;
    });
    return files;
  };
  return async (req, res) => {
    const path = pathOf(req.url);
    if (path === "/console") {
      res.writeHead(308, { ...ERROR_HEADERS, location: CONSOLE_PATH });
      res.end();
      return true;
    }
    if (!path.startsWith(CONSOLE_PATH)) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      text(res, 405, `${req.method} ${path}: the console answers GET and HEAD only`, { allow: "GET, HEAD" });
      return true;
    }
    let built: ConsoleFiles;
    try {
      built = await load();
    } catch (err) {
      text(res, 503, err instanceof Error ? err.message : String(err));
      return true;
    }
    if (path === CONSOLE_PATH || path === `${CONSOLE_PATH}index.html`) {
      send(req, res, built.index, INDEX_HEADERS);
      return true;
    }
    const asset = path.startsWith(ASSETS_PREFIX) ? built.assets.get(path.slice(ASSETS_PREFIX.length)) : undefined;
    if (!asset) {
      text(res, 404, `no console file at ${path.slice(0, 200)}`);
      return true;
    }
    send(req, res, asset, ASSET_HEADERS);
    return true;
  };
}
