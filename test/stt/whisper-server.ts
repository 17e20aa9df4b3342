// Starts scripts/whisper-server (a real Whisper model, tiny.en via faster-whisper, behind an
// OpenAI-compatible /v1/audio/transcriptions) from its venv on an ephemeral loopback port,
// and stops it by PID. A missing venv is an error that says how to make it, never a skip.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startCommand, type StartedProcess } from "../fakes/spawn.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const WHISPER_PYTHON = `${REPO_ROOT}.tools/whisper-venv/bin/python`;
export const WHISPER_SERVER = `${REPO_ROOT}scripts/whisper-server/server.py`;
const READY_TIMEOUT_MS = 30_000; // imports + model load: ~1 s here, more on a cold disk

export const whisperVenvExists = () => existsSync(WHISPER_PYTHON);

export interface WhisperServer extends StartedProcess {
  /** "http://127.0.0.1:PORT/v1": an openai-type provider's base_url */
  baseUrl: string;
}

/** `server.py --host 127.0.0.1 --port 0 ...args`; resolves when it prints {"port","pid"}. */
export async function startWhisperServer(args: string[] = []): Promise<WhisperServer> {
  if (!whisperVenvExists()) {
    throw new Error(`the Whisper server's venv is missing (${WHISPER_PYTHON}); run scripts/setup-whisper-server.sh first (scripts/test.sh and CI do)`);
  }
  const proc = await startCommand(WHISPER_PYTHON, [WHISPER_SERVER, "--host", "127.0.0.1", "--port", "0", ...args], { label: "whisper-server", readyTimeoutMs: READY_TIMEOUT_MS });
  return { ...proc, baseUrl: `${proc.url}/v1` };
}
