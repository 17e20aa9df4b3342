// A hoosh.v1 TranscribeResponse in each of OpenAI's response formats: json,
// text, srt, vtt (cues from the segments) and verbose_json.
import type { TranscribeResponse, TranscriptSegment } from "../../../gen/ts/hoosh/v1/transcribe_pb.js";
import type { ResponseFormat } from "./transcription-request.js";
import type * as wire from "../../providers/openai/wire.js";

export interface Rendered {
  body: string;
  contentType: string;
}

interface Cue {
  start: number;
  end: number;
  text: string;
}

const LANGUAGE_NAMES = new Intl.DisplayNames("en", { type: "language", fallback: "none" });

/** whisper-1 reports the language by its English name ("english"); hoosh keeps codes. */
function languageName(code: string): string {
  if (code === "") return "";
  try {
    return LANGUAGE_NAMES.of(code)?.toLowerCase() ?? code;
  } catch {
    return code;
  }
}

/** The segments as cues; a transcript without segments is one cue over the whole audio. */
function cues(res: TranscribeResponse): Cue[] {
  if (res.segments.length > 0) return res.segments.map((s) => ({ start: s.startSeconds, end: s.endSeconds, text: s.text.trim() }));
  return res.text.trim() === "" ? [] : [{ start: 0, end: res.durationSeconds, text: res.text.trim() }];
}

/** HH:MM:SS<sep>mmm */
function timestamp(seconds: number, separator: "," | "."): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
}

export function toSrt(res: TranscribeResponse): string {
  return cues(res)
    .map((c, i) => `${i + 1}\n${timestamp(c.start, ",")} --> ${timestamp(c.end, ",")}\n${c.text}\n\n`)
    .join("");
}

export function toVtt(res: TranscribeResponse): string {
  return `WEBVTT\n\n${cues(res)
    .map((c) => `${timestamp(c.start, ".")} --> ${timestamp(c.end, ".")}\n${c.text}\n\n`)
    .join("")}`;
}

function usage(res: TranscribeResponse): wire.TranscriptionUsage | undefined {
  const u = res.usage;
  // Billed by the second (whisper-1 and local engines): OpenAI's duration usage.
  if (u && u.audioSeconds > 0 && u.outputTokens === 0 && u.audioTokens === 0) return { type: "duration", seconds: Math.ceil(u.audioSeconds) };
  if (u && (u.inputTokens > 0 || u.outputTokens > 0)) {
    const audio = u.audioTokens;
    return {
      type: "tokens",
      input_tokens: u.inputTokens,
      output_tokens: u.outputTokens,
      total_tokens: u.inputTokens + u.outputTokens,
      input_token_details: { audio_tokens: audio, text_tokens: Math.max(0, u.inputTokens - audio) },
    };
  }
  return res.durationSeconds > 0 ? { type: "duration", seconds: Math.ceil(res.durationSeconds) } : undefined;
}

function segmentJson(s: TranscriptSegment, id: number) {
  return { id, seek: 0, start: s.startSeconds, end: s.endSeconds, text: s.text, tokens: [], temperature: 0, avg_logprob: 0, compression_ratio: 0, no_speech_prob: 0 };
}

export function toVerboseJson(res: TranscribeResponse, granularities: string[]): wire.VerboseTranscription {
  const out: wire.VerboseTranscription = { task: "transcribe", language: languageName(res.language), duration: res.durationSeconds, text: res.text };
  if (granularities.length === 0 || granularities.includes("segment")) out.segments = res.segments.map(segmentJson);
  if (granularities.includes("word")) {
    out.words = res.segments.flatMap((s) => s.words.map((w) => ({ word: w.word, start: w.startSeconds, end: w.endSeconds })));
  }
  const u = usage(res);
  if (u) out.usage = u;
  return out;
}

export function renderTranscription(res: TranscribeResponse, format: ResponseFormat, granularities: string[]): Rendered {
  switch (format) {
    case "text":
      return { body: res.text, contentType: "text/plain; charset=utf-8" };
    case "srt":
      return { body: toSrt(res), contentType: "text/plain; charset=utf-8" };
    case "vtt":
      return { body: toVtt(res), contentType: "text/vtt; charset=utf-8" };
    case "verbose_json":
      return { body: JSON.stringify(toVerboseJson(res, granularities)), contentType: "application/json" };
    case "json": {
      const u = usage(res);
      return { body: JSON.stringify(u ? { text: res.text, usage: u } : { text: res.text }), contentType: "application/json" };
    }
  }
}
