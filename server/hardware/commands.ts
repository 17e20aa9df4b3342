/**
 * RunCommand: how detection runs external tools (nvidia-smi, rocm-smi). Injectable so tests can
 * hand in canned output or an ENOENT. The default runs the program with execFile: no shell,
 * a timeout, a bounded output buffer and an AbortSignal.
 */
import { execFile } from "node:child_process";

export interface RunOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** Resolves with stdout; rejects with the child_process error (code "ENOENT" when not installed). */
export type RunCommand = (file: string, args: readonly string[], options: RunOptions) => Promise<string>;

const MAX_OUTPUT_BYTES = 1024 * 1024;

export const execFileCommand: RunCommand = (file, args, options) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { timeout: options.timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, signal: options.signal, windowsHide: true, encoding: "utf8" },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });

/** True for "the program isn't installed" errors, which detection treats as normal and silent. */
export function isNotInstalled(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT";
}
