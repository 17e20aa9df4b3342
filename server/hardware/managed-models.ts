// Which model files RecommendPlacement may open for a caller without the admin scope: a plain file
// name in hoosh's models directory (`hoosh models pull`), or a configured local model's model_path.
// Any other path is refused with the same answer whether or not it exists (no existence oracle).
import { isAbsolute, join, resolve } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { badModelName } from "../engines/model-files.js";

export interface ManagedModels {
  /** <data dir>/models */
  dir: string;
  /** Resolved model_path of every configured local model. */
  configured: readonly string[];
}

/** The file to open for `path`, or PermissionDenied naming what is allowed (never whether `path` exists). */
export function managedModelFile(models: ManagedModels, path: string): string {
  const configured = models.configured.find((p) => p === path || (isAbsolute(path) && resolve(path) === p));
  if (configured) return configured;
  if (badModelName(path) === undefined) return join(models.dir, path);
  throw new ConnectError(
    `model_path: only model files hoosh manages are accepted: a file name in the models directory (hoosh models list) or a configured local model's model_path; other server paths need the admin scope`,
    Code.PermissionDenied,
  );
}
