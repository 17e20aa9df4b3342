// POST /v1/audio/speech — OpenAI's text to speech: JSON in, the audio streamed back in chunks
// (chunked transfer, a few ms apart, so a client can see it arrive in pieces). The audio is a
// deterministic tone: 24 kHz PCM16 mono, 50 ms per character of input (raw for "pcm", with a
// WAV header for "wav"; other formats get the same samples behind a marker naming the format).
import { streamingWavHeader } from "../../../server/engines/tts/encoders.js";
import { apiError, sendError, sleep, type Conn } from "./http.js";

const VOICES = ["alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse"];
const FORMATS: Record<string, string> = { mp3: "audio/mpeg", opus: "audio/opus", aac: "audio/aac", flac: "audio/flac", wav: "audio/wav", pcm: "audio/pcm" };
const RATE = 24_000;
const CHUNK_BYTES = 4800; // 100 ms

/** Holds speech answers after their first chunk while held (POST /_fake/hold-speech, /_fake/release). */
export class SpeechGate {
  #open: Promise<void> | undefined;
  #release = () => {};

  hold(): void {
    if (this.#open) return;
    this.#open = new Promise((resolve) => (this.#release = resolve));
  }

  release(): void {
    this.#release();
    this.#open = undefined;
  }

  /** Resolves when not held (at once) or once released; false when the client left meanwhile. */
  async passed(signal: AbortSignal): Promise<boolean> {
    if (!this.#open) return true;
    await Promise.race([this.#open, new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }))]);
    return !signal.aborted;
  }
}

export async function handleSpeech(conn: Conn, body: Record<string, unknown>, gate?: SpeechGate): Promise<void> {
  const { res } = conn;
  const invalid = (message: string, param: string) => sendError(res, 400, apiError(message, "invalid_request_error", param, "invalid_value"));
  const input = body.input;
  if (typeof input !== "string" || input.length === 0) return invalid("input is required", "input");
  if (input.length > 4096) return invalid(`string too long. Expected a string with maximum length 4096, but got a string with length ${input.length} instead.`, "input");
  if (typeof body.voice !== "string" || !VOICES.includes(body.voice)) return invalid(`Invalid value: '${String(body.voice)}'. Supported values are: ${VOICES.join(", ")}.`, "voice");
  const format = typeof body.response_format === "string" ? body.response_format : "mp3";
  if (!(format in FORMATS)) return invalid(`Invalid value: '${format}'.`, "response_format");
  const speed = typeof body.speed === "number" ? body.speed : 1;
  if (speed < 0.25 || speed > 4) return invalid(`Invalid speed ${speed}`, "speed");

  const samples = Math.round((input.length * 0.05 * RATE) / speed);
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / RATE)), i * 2);
  const head = format === "wav" ? streamingWavHeader(RATE, pcm.length) : format === "pcm" ? Buffer.alloc(0) : Buffer.from(`FAKE-${format.toUpperCase()}:`);
  const audio = Buffer.concat([head, pcm]);
  res.writeHead(200, { "content-type": FORMATS[format]!, "transfer-encoding": "chunked" });
  for (let at = 0; at < audio.length; at += CHUNK_BYTES) {
    if (conn.signal.aborted) return;
    res.write(audio.subarray(at, at + CHUNK_BYTES));
    conn.chunks++;
    if (conn.chunks === 1 && gate && !(await gate.passed(conn.signal))) return;
    if (!(await sleep(5, conn.signal))) return;
  }
  res.end();
}
