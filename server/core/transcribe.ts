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
import { untilAborted } from "./abort.js";
import { invalidArgument, isRetryable, showValue } from "./errors.js";
import type { Accounting } from "./accounting/accounting.js";
import type { Charge } from "./accounting/charge.js";
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
/** A provider to try and the model id it serves (an alias such as whisper-1 resolved). */
interface Target {
  provider: Transcriber;
  model: string;
}

export class Transcription {
  private readonly limits: TranscriptionLimits;

  constructor(
    private readonly router: Router,
    limits: Partial<TranscriptionLimits> = {},
    /** Charges each transcription's audio seconds to the caller's pool; none in bare test apps. */
    private readonly accounting?: Pick<Accounting, "begin">,
  ) {
    this.limits = { ...DEFAULT_TRANSCRIPTION_LIMITS, ...limits };
  }

  async transcribe(requests: AsyncIterable<TranscribeRequest>, call: CallContext): Promise<TranscribeResponse> {
    const messages = requests[Symbol.asyncIterator]();
    try {
      const config = await firstConfig(messages, call.signal);
      // Route before reading the audio, so an unknown model fails before the upload.
      const targets = this.transcribers(config);
      return await this.charged(config, targets, call, () => this.buffered(messages, config, targets, call));
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
      const targets = this.transcribers(config);
      const { provider, model } = targets[0]!;
      if (!provider.transcribeStream) {
        yield { case: "final", value: await this.charged(config, targets, call, () => this.buffered(messages, config, targets, call)) };
        return;
      }
      const charge = await this.begin(config, model, call);
      try {
        const served = { ...config, model };
        for await (const event of provider.transcribeStream(served, this.gatedAudio(messages, config, call.signal), call)) {
          if (event.case === "final") await settle(charge, finishResponse(event.value, provider, config, undefined));
          yield event;
        }
      } finally {
        await charge?.release();
      }
    } finally {
      void messages.return?.().catch(() => undefined);
    }
  }

  private async buffered(messages: AsyncIterator<TranscribeRequest>, config: TranscribeConfig, targets: Target[], call: CallContext): Promise<TranscribeResponse> {
    const audio = await this.readAudio(messages, call.signal);
    const durationSeconds = inspectAudio(config, audio);
    return await this.withFallback(targets, config, audio, durationSeconds, call);
  }

  /** Reserves in the caller's pool (aliases and fallbacks resolved by the router), runs, charges the audio seconds. */
  private async charged(config: TranscribeConfig, targets: Target[], call: CallContext, run: () => Promise<TranscribeResponse>): Promise<TranscribeResponse> {
    const charge = await this.begin(config, targets[0]!.model, call);
    try {
      return await settle(charge, await run());
    } finally {
      await charge?.release();
    }
  }

  /**
   * The audio's length is not known yet: one second is held, the real length charged at the end.
   * Priced by the model that serves it (an alias such as whisper-1 on a local engine costs 0).
   */
  private async begin(config: TranscribeConfig, model: string, call: CallContext): Promise<Charge | undefined> {
    return this.accounting?.begin({ kind: "units", req: { model, budgetPool: config.budgetPool, metadata: {} }, units: 1 }, call);
  }

  /** Providers able to transcribe, with the model id each serves (aliases such as whisper-1 resolved). */
  private transcribers(config: TranscribeConfig): Target[] {
    const targets = this.router.targets(config.model, config.routing);
    const able = targets.filter((t): t is Target => canTranscribe(t.provider));
    if (able.length === 0) {
      const names = [...new Set(targets.map((t) => `"${t.provider.name}"`))].join(", ");
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
    targets: Target[],
    config: TranscribeConfig,
    audio: Buffer,
    durationSeconds: number | undefined,
    call: CallContext,
  ): Promise<TranscribeResponse> {
    let lastError: ConnectError | undefined;
    for (const { provider, model } of targets) {
      try {
        return finishResponse(await provider.transcribe({ ...config, model }, replay(audio), call), provider, config, durationSeconds);
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

/**
 * Charges the transcription: unless the provider reported tokens, its audio seconds (rounded up)
 * are its input units, priced per second where data/pricing.json has a price (whisper-1).
 */
async function settle(charge: Charge | undefined, res: TranscribeResponse): Promise<TranscribeResponse> {
  if (!charge) return res;
  const usage = res.usage ?? create(UsageSchema);
  usage.audioSeconds = res.durationSeconds;
  // Models billed by token (gpt-4o-transcribe) report tokens; the others are billed by the second.
  if (usage.inputTokens === 0 && usage.outputTokens === 0) usage.inputTokens = Math.max(1, Math.ceil(res.durationSeconds));
  res.usage = await charge.commit(usage, "");
  return res;
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

const formatMiB = (bytes: number) => `${+(bytes / (1024 * 1024)).toFixed(2)} MiB`;
