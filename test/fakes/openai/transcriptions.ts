// POST /v1/audio/transcriptions — multipart upload in, deterministic transcript out.
// Text: "transcribed N bytes of <ext> audio at R Hz" (or, when the prompt holds
// "echo:", whatever follows it). gpt-4o-*-transcribe models refuse verbose_json
// and report token usage, as OpenAI's do.
import { apiError, sendError, sendJson, sleep, type Conn } from "./http.js";
import { scriptFor } from "./scripts.js";
import { readWav } from "./wav.js";

/** What the fake records about an upload (in the request event's `body`). */
export interface UploadRecord {
  contentType: string | null;
  /** Text fields; repeated names (timestamp_granularities[]) become arrays. */
  fields: Record<string, string | string[]>;
  file: { filename: string; contentType: string; bytes: number } | null;
}

export interface Upload {
  /** null when the body is not parseable multipart/form-data. */
  form: FormData | null;
  record: UploadRecord;
}

const FORMATS = ["json", "text", "srt", "verbose_json", "vtt"];
const TOKENS_ONLY = /^gpt-4o.*transcribe/;

/** Parses with the platform's own multipart parser (undici's Response.formData). */
export async function readUpload(contentType: string | null, bytes: Buffer): Promise<Upload> {
  const record: UploadRecord = { contentType, fields: {}, file: null };
  if (!contentType?.toLowerCase().startsWith("multipart/form-data")) return { form: null, record };
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
  } catch {
    return { form: null, record };
  }
  for (const [name, value] of form) {
    if (typeof value !== "string") {
      if (name === "file") record.file = { filename: value.name, contentType: value.type, bytes: value.size };
      continue;
    }
    const prev = record.fields[name];
    record.fields[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return { form, record };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export async function handleTranscription(conn: Conn, upload: Upload, slowMs: number): Promise<void> {
  const { res } = conn;
  const form = upload.form;
  if (!form) {
    const message = `Invalid Content-Type header (${upload.record.contentType ?? "none"}), expected multipart/form-data.`;
    return sendError(res, 400, apiError(message));
  }
  const model = form.get("model");
  if (typeof model !== "string" || model === "") {
    return sendError(res, 400, apiError("you must provide a model parameter", "invalid_request_error", "model", "missing_required_parameter"));
  }
  const file = form.get("file");
  if (file === null || typeof file === "string") {
    return sendError(res, 400, apiError("Missing required parameter: 'file'.", "invalid_request_error", "file", "missing_required_parameter"));
  }
  const format = String(form.get("response_format") ?? "json");
  if (!FORMATS.includes(format)) {
    return sendError(res, 400, apiError(`Invalid value: '${format}'. Supported values are: ${FORMATS.map((f) => `'${f}'`).join(", ")}.`, "invalid_request_error", "response_format", "invalid_value"));
  }
  if (TOKENS_ONLY.test(model) && format === "verbose_json") {
    const message = `response_format 'verbose_json' is not compatible with model '${model}'. Use 'json' or 'text' instead.`;
    return sendError(res, 400, apiError(message, "invalid_request_error", "response_format", "unsupported_value"));
  }
  const script = scriptFor(model);
  if (script.kind === "error") return sendError(res, script.status, script.error, script.headers);
  if (script.kind === "slow-first-byte" && !(await sleep(slowMs, conn.signal))) return;

  const audio = Buffer.from(await file.arrayBuffer());
  const ext = (/\.([a-z0-9]+)$/i.exec(file.name)?.[1] ?? "unknown").toLowerCase();
  const wav = readWav(audio);
  if (ext === "wav" && !wav) {
    return sendError(res, 400, apiError("The audio file could not be decoded or its format is not supported.", "invalid_request_error", "file"));
  }
  // Compressed formats: pretend 128 kbit/s, so the duration is still deterministic.
  const duration = round(wav ? wav.durationSeconds : audio.length / 16_000);
  const prompt = String(form.get("prompt") ?? "");
  const echo = prompt.indexOf("echo:");
  const text = echo >= 0 ? prompt.slice(echo + 5).trim() : `transcribed ${audio.length} bytes of ${ext} audio${wav ? ` at ${wav.sampleRateHz} Hz` : ""}`;
  const language = String(form.get("language") ?? "") || "en";

  const words = text.split(/\s+/).filter(Boolean);
  const usage = TOKENS_ONLY.test(model)
    ? tokenUsage(duration, words.length)
    : { type: "duration", seconds: Math.ceil(duration) };
  if (format === "text") {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    return void res.end(text);
  }
  if (format !== "verbose_json") return sendJson(res, 200, { text, usage });

  const step = words.length > 0 ? duration / words.length : 0;
  const half = Math.ceil(words.length / 2);
  const bounds = [[0, half], [half, words.length]].filter(([a, b]) => b! > a!);
  const segments = bounds.map(([a, b], id) => ({
    id,
    seek: 0,
    start: round(a! * step),
    end: round(b === words.length ? duration : b! * step),
    text: " " + words.slice(a, b).join(" "),
    tokens: [],
    temperature: 0,
    avg_logprob: -0.2,
    compression_ratio: 1.2,
    no_speech_prob: 0.01,
  }));
  const granularities = form.getAll("timestamp_granularities[]").map(String);
  sendJson(res, 200, {
    task: "transcribe",
    language,
    duration,
    text,
    segments: granularities.length === 0 || granularities.includes("segment") ? segments : undefined,
    words: granularities.includes("word") ? words.map((word, i) => ({ word, start: round(i * step), end: round((i + 1) * step) })) : undefined,
    usage,
  });
}

function tokenUsage(duration: number, outputTokens: number) {
  const audioTokens = Math.ceil(duration * 10);
  return {
    type: "tokens",
    input_tokens: audioTokens,
    input_token_details: { text_tokens: 0, audio_tokens: audioTokens },
    output_tokens: outputTokens,
    total_tokens: audioTokens + outputTokens,
  };
}
