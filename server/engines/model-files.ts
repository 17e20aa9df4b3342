// The model files in <data dir>/models: what `hoosh models list` shows (size and GGUF metadata,
// read from the header only) and what `hoosh models rm` deletes. Names are plain file names.
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { readGgufFile } from "../hardware/gguf.js";

/** Extensions `hoosh models pull` accepts: GGUF LLMs, whisper.cpp ggml models. */
export const MODEL_EXTENSIONS = [".gguf", ".bin"] as const;
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

export interface ModelFile {
  name: string;
  path: string;
  sizeBytes: number;
  /** A download that has not finished (resumable). */
  partial: boolean;
  architecture?: string | undefined;
  parameterCount?: number | undefined;
  quantization?: string | undefined;
  contextLength?: number | undefined;
  hasChatTemplate?: boolean | undefined;
  /** Why the metadata could not be read. */
  error?: string | undefined;
}

/** Why `name` cannot be a model file name, or undefined. */
export function badModelName(name: string): string | undefined {
  if (!NAME.test(name) || name.includes("..")) return `${JSON.stringify(name)} is not a plain file name (letters, digits, ".", "_", "+", "-")`;
  if (!MODEL_EXTENSIONS.some((ext) => name.endsWith(ext))) return `${JSON.stringify(name)} must end in ${MODEL_EXTENSIONS.join(" or ")}`;
  return undefined;
}

export async function listModelFiles(dir: string): Promise<ModelFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const files = names.filter((n) => MODEL_EXTENSIONS.some((ext) => n.endsWith(ext) || n.endsWith(`${ext}.part`))).sort();
  return Promise.all(files.map((name) => describe(dir, name)));
}

async function describe(dir: string, name: string): Promise<ModelFile> {
  const path = join(dir, name);
  const partial = name.endsWith(".part");
  const file: ModelFile = { name, path, sizeBytes: (await stat(path)).size, partial };
  if (partial || !name.endsWith(".gguf")) return file;
  try {
    const info = await readGgufFile(path);
    file.architecture = info.architecture;
    file.parameterCount = info.parameterCount;
    file.quantization = info.quantizationName;
    file.contextLength = info.contextLength;
    file.hasChatTemplate = info.hasChatTemplate;
  } catch (err) {
    file.error = (err as Error).message;
  }
  return file;
}

/** Deletes the model and any partial download of it; false when neither existed. */
export async function removeModelFile(dir: string, name: string): Promise<boolean> {
  let removed = false;
  for (const path of [join(dir, name), join(dir, `${name}.part`)]) {
    try {
      await rm(path);
      removed = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
  return removed;
}
