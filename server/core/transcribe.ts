// The Transcribe pipeline: config first, then audio; validate; route by model
// to providers that can transcribe; fall back on retryable errors; finish the
// usage record.
//
// The audio is buffered (bounded by maxAudioBytes) before any provider is
// called: validation (no audio, size, WAV header, magic bytes) must finish
// before a provider bills anything, and fallback must be able to replay the
// same bytes to the next provider. Whole-file APIs (OpenAI) need it buffered anyway.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { UsageSchema } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { AudioEncoding, type TranscribeConfig, type TranscribeRequest as TranscribeRequestMessage, type TranscribeResponse } from "../../gen/ts/hoosh/v1/transcribe_pb.js";

/** Transcribe and TranscribeStream send the same messages (config, then audio). */
type TranscribeRequest = Pick<TranscribeRequestMessage, "payload">;
import type { CallContext, Provider, TranscriptEvent } from "../providers/provider.js";
import { checkEncoding, encodingName } from "../audio/formats.js";
import { parseWav, pcm16Duration } from "../audio/wav.js";
import { invalidArgument, isRetryable, showValue } from "./errors.js";
import type { Router } from "./router.js";

export interface TranscriptionLimits {
  /** Total audio bytes per request; OpenAI's file limit is 25 MiB. */
  maxAudioBytes: number;
}

export const DEFAULT_TRANSCRIPTION_LIMITS: TranscriptionLimits = { maxAudioBytes: 25 * 1024 * 1024 };

const ENCODINGS = Object.values(AudioEncoding)
  .filter((v): v is AudioEncoding => typeof v === "number" && v !== AudioEncoding.UNSPECIFIED)
  .map(encodingName)
  .join(", ");
/** ISO-639 language with optional BCP-47 subtags: "en", "pt-BR", "zh-Hant-TW". */
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const PCM_RATES = { min: 8000, max: 48000 };

type Transcriber = Provider & Required<Pick<Provider, "transcribe">>;
const canTranscribe = (p: Provider): p is Transcriber => typeof p.transcribe === "function";

export class Transcription {
  private readonly limits: TranscriptionLimits;

  constructor(
    private readonly router: Router,
    limits: Partial<TranscriptionLimits> = {},
  ) {
    this.limits = { ...DEFAULT_TRANSCRIPTION_LIMITS, ...limits };
  }

  async transcribe(requests: AsyncIterable<TranscribeRequest>, call: CallContext): Promise<TranscribeResponse> {
    const messages = requests[Symbol.asyncIterator]();
    try {
      const config = await firstConfig(messages, call.signal);
      // Route before reading the audio, so an unknown model fails before the upload.
      return await this.buffered(messages, config, this.transcribers(config), call);
    } finally {
      // Early failure: tell the request stream we stopped reading it.
      void messages.return?.().catch(() => undefined);
    }
  }

  /**
   * TranscribeStream: when the first provider routed to decodes incrementally,
   * the audio flows to it as it arrives (checked on the way: message shape,
   * size, encoding, WAV header) and its partials go out as they form; there is
   * no fallback once audio flows (it is not kept for replay). Otherwise the
   * audio is buffered as for Transcribe and only the final is sent.
   */
  async *transcribeStream(requests: AsyncIterable<TranscribeRequest>, call: CallContext): AsyncGenerator<TranscriptEvent> {
    const messages = requests[Symbol.asyncIterator]();
    try {
      const config = await firstConfig(messages, call.signal);
      const providers = this.transcribers(config);
      const provider = providers[0]!;
      if (!provider.transcribeStream) {
        yield { case: "final", value: await this.buffered(messages, config, providers, call) };
        return;
      }
      for await (const event of provider.transcribeStream(config, this.gatedAudio(messages, config, call.signal), call)) {
        if (event.case === "final") finishResponse(event.value, provider, config, undefined);
        yield event;
      }
    } finally {
      void messages.return?.().catch(() => undefined);
    }
  }

  private async buffered(messages: AsyncIterator<TranscribeRequest>, config: TranscribeConfig, providers: Transcriber[], call: CallContext): Promise<TranscribeResponse> {
    const audio = await this.readAudio(messages, call.signal);
    const durationSeconds = inspectAudio(config, audio);
    return await this.withFallback(providers, config, audio, durationSeconds, call);
  }

  private transcribers(config: TranscribeConfig): Transcriber[] {
    const candidates = this.router.candidates(config.model, config.routing);
    const able = candidates.filter(canTranscribe);
    if (able.length === 0) {
      const names = candidates.map((p) => `"${p.name}"`).join(", ");
      throw new ConnectError(`model "${config.model}" is served by ${names}, but none of them can transcribe audio`, Code.FailedPrecondition);
    }
    return able;
  }

  /** The remaining messages' audio, in order, as one buffer. */
  private async readAudio(messages: AsyncIterator<TranscribeRequest>, signal: AbortSignal): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of this.audioChunks(messages, signal)) chunks.push(chunk);
    if (chunks.length === 0) throw invalidArgument("audio", "no audio received");
    return Buffer.concat(chunks);
  }

  /** The remaining messages' audio as it arrives, each message checked. */
  private async *audioChunks(messages: AsyncIterator<TranscribeRequest>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    let total = 0;
    for (let position = 2; ; position++) {
      const next = await untilAborted(messages.next(), signal);
      if (next.done) return;
      const payload = next.value.payload;
      if (payload.case === "config") {
        throw invalidArgument("config", `message ${position} of the stream carries a second config; only the first message may, later ones carry audio`);
      }
      if (payload.case !== "audio") throw invalidArgument("audio", `message ${position} of the stream is empty; messages after the config must carry audio`);
      total += payload.value.length;
      // InvalidArgument, not ResourceExhausted: the same request can never succeed,
      // and ResourceExhausted reads as "retry later" to clients and to our own fallback.
      if (total > this.limits.maxAudioBytes) {
        throw invalidArgument("audio", `exceeds the limit of ${this.limits.maxAudioBytes} bytes (${formatMiB(this.limits.maxAudioBytes)}) after message ${position}`);
      }
      if (payload.value.length > 0) yield payload.value;
    }
  }

  /** Audio for an incremental provider: the head is held back until the encoding (and WAV header) can be checked. */
  private async *gatedAudio(messages: AsyncIterator<TranscribeRequest>, config: TranscribeConfig, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    let head: Buffer | undefined = Buffer.alloc(0);
    for await (const chunk of this.audioChunks(messages, signal)) {
      if (!head) {
        yield chunk;
        continue;
      }
      head = Buffer.concat([head, chunk]);
      if (!headComplete(config, head)) continue;
      inspectAudio(config, head, true);
      yield head;
      head = undefined;
    }
    if (head?.length === 0) throw invalidArgument("audio", "no audio received");
    if (head) {
      inspectAudio(config, head, true);
      yield head;
    }
  }

  private async withFallback(
    providers: Transcriber[],
    config: TranscribeConfig,
    audio: Buffer,
    durationSeconds: number | undefined,
    call: CallContext,
  ): Promise<TranscribeResponse> {
    let lastError: ConnectError | undefined;
    for (const provider of providers) {
      try {
        return finishResponse(await provider.transcribe(config, replay(audio), call), provider, config, durationSeconds);
      } catch (err) {
        const error = ConnectError.from(err);
        if (call.signal.aborted || !isRetryable(error)) throw error;
        lastError = error;
      }
    }
    throw lastError!;
  }
}

async function firstConfig(messages: AsyncIterator<TranscribeRequest>, signal: AbortSignal): Promise<TranscribeConfig> {
  const first = await untilAborted(messages.next(), signal);
  if (first.done || first.value.payload.case !== "config") throw invalidArgument("config", "the first message must carry config");
  validateConfig(first.value.payload.value);
  return first.value.payload.value;
}

/** Fills what the core knows into a provider's transcript (the usage record's provider among it). */
function finishResponse(res: TranscribeResponse, provider: Provider, config: TranscribeConfig, durationSeconds: number | undefined): TranscribeResponse {
  res.usage ??= create(UsageSchema);
  res.usage.provider = provider.name;
  res.model ||= config.model;
  res.language ||= config.language;
  if (!res.durationSeconds && durationSeconds !== undefined) res.durationSeconds = durationSeconds;
  return res;
}

/** Enough bytes to check the encoding: 12 for the magic, the whole header for WAV (up to 64 KiB). */
function headComplete(c: TranscribeConfig, head: Buffer): boolean {
  if (head.length < 12) return false;
  if (c.encoding !== AudioEncoding.WAV || head.length >= 64 * 1024) return true;
  try {
    parseWav(head);
    return true;
  } catch {
    return false;
  }
}

function validateConfig(c: TranscribeConfig): void {
  if (c.model.trim() === "") throw invalidArgument("config.model", 'is required (e.g. "whisper-1")');
  if (c.encoding === AudioEncoding.UNSPECIFIED || !(c.encoding in AudioEncoding)) {
    throw invalidArgument("config.encoding", `${c.encoding === AudioEncoding.UNSPECIFIED ? "AUDIO_ENCODING_UNSPECIFIED" : c.encoding} is not allowed; use one of: ${ENCODINGS}`);
  }
  if (c.encoding === AudioEncoding.PCM16_LE) {
    if (c.sampleRateHz < PCM_RATES.min || c.sampleRateHz > PCM_RATES.max) {
      throw invalidArgument("config.sample_rate_hz", `${c.sampleRateHz} is out of range for AUDIO_ENCODING_PCM16_LE; allowed: ${PCM_RATES.min}..${PCM_RATES.max}`);
    }
    if (c.channels !== 1 && c.channels !== 2) {
      throw invalidArgument("config.channels", `${c.channels} is not allowed for AUDIO_ENCODING_PCM16_LE; use 1 or 2`);
    }
  }
  if (c.language !== "" && !LANGUAGE.test(c.language)) {
    throw invalidArgument("config.language", `${showValue(c.language)} is not a language code; use ISO-639 / BCP-47 such as "en" or "pt-BR", or leave it empty to detect`);
  }
}

/** Checks the bytes (all of them, or the head of a stream) against the config; returns the duration when the encoding tells it. */
function inspectAudio(c: TranscribeConfig, audio: Buffer, head = false): number | undefined {
  checkEncoding(c.encoding, audio);
  if (c.encoding === AudioEncoding.PCM16_LE && !head) {
    const frame = 2 * c.channels;
    if (audio.length % frame !== 0) {
      throw invalidArgument("audio", `${audio.length} bytes is not a whole number of ${frame}-byte PCM16 frames (${c.channels} channel(s))`);
    }
    return pcm16Duration(audio.length, c.sampleRateHz, c.channels);
  }
  if (c.encoding !== AudioEncoding.WAV) return undefined;
  const wav = parseWav(audio);
  if (c.sampleRateHz !== 0 && c.sampleRateHz !== wav.sampleRateHz) {
    throw invalidArgument("config.sample_rate_hz", `${c.sampleRateHz} does not match the WAV header's ${wav.sampleRateHz} Hz; set it to match or leave it 0`);
  }
  if (c.channels !== 0 && c.channels !== wav.channels) {
    throw invalidArgument("config.channels", `${c.channels} does not match the WAV header's ${wav.channels} channel(s); set it to match or leave it 0`);
  }
  return wav.durationSeconds;
}

/** A fresh iterable over the same bytes for each attempt. */
async function* replay(audio: Buffer): AsyncGenerator<Uint8Array> {
  yield audio;
}

/** Waits for `p` unless the call is cancelled or times out first (a stalled upload must not outlive the deadline). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  const reason = () => (signal.reason instanceof ConnectError ? signal.reason : new ConnectError("the request was cancelled", Code.Canceled));
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

const formatMiB = (bytes: number) => `${+(bytes / (1024 * 1024)).toFixed(2)} MiB`;
