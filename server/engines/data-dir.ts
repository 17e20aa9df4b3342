// Where hoosh keeps files it downloads or installs (models, venvs): $HOOSH_DATA_DIR, else
// ~/.local/share/hoosh. scripts/setup-default-model.sh follows the same rule.
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

export type DataDirEnv = Readonly<Record<string, string | undefined>>;

export function dataDir(env: DataDirEnv): string {
  const fromEnv = env.HOOSH_DATA_DIR;
  return fromEnv ? resolve(expandHome(fromEnv)) : join(homedir(), ".local", "share", "hoosh");
}

/** The folder `hoosh models pull` writes to and `list`/`rm` read. */
export function modelsDir(env: DataDirEnv): string {
  return join(dataDir(env), "models");
}

/**
 * "~/x" → "<home>/x". The config module expands ${VAR} but not "~", and HOME may be unset
 * (tests run with a clean environment), so the home folder comes from the OS user database.
 */
export function expandHome(path: string): string {
  if (path === "~") return homedir();
  return path.startsWith("~/") ? join(homedir(), path.slice(2)) : path;
}

/** A configured file path: "~/" is the home folder, a relative path is under the data dir. */
export function underDataDir(path: string, env: DataDirEnv): string {
  const p = expandHome(path);
  return isAbsolute(p) ? p : join(dataDir(env), p);
}
