// Provider type "pocketsphinx": English speech to text in-process through
// libpocketsphinx, truly incremental: every chunk is decoded as it arrives
// and the hypothesis so far goes out as a TranscriptPartial.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { TranscribeResponseSchema, TranscriptSegmentSchema, type TranscribeConfig, type TranscribeResponse } from "../../../gen/ts/hoosh/v1/transcribe_pb.js";
import { PocketsphinxDecoder, type PocketsphinxPaths, type WordTime } from "../../engines/stt/pocketsphinx/decoder.js";
import { EnginePool, type PoolStats } from "../../engines/stt/pool.js";
import type { CallContext, Provider, TranscriptEvent } from "../provider.js";
import { checkLanguage, SpeechProvider } from "./base.js";
import { checkPcmEncoding, ENGINE_RATE_HZ, pcm16kMono } from "./pcm-stream.js";

export interface PocketsphinxOptions extends Partial<PocketsphinxPaths> {
  name: string;
  models: readonly string[];
  /** Decoders alive at once (~150 MB each). */
  decoders?: number;
  /** Requests waiting for a decoder; more → RESOURCE_EXHAUSTED. */
  maxQueue?: number;
}

const LANGUAGES = ["en"] as const;
/** A pause longer than this starts a new segment. */
const SEGMENT_GAP_SECONDS = 0.3;

export class PocketsphinxProvider extends SpeechProvider implements Provider {
  readonly type = "pocketsphinx";
  private readonly pool: EnginePool<PocketsphinxDecoder>;

  constructor(options: PocketsphinxOptions) {
    super(options.name, options.models);
    this.pool = new EnginePool({
      name: `provider "${options.name}"`,
      size: options.decoders ?? 1,
      maxQueue: options.maxQueue ?? 4,
      create: () => PocketsphinxDecoder.load(options),
      destroy: (d) => d.free(),
    });
  }

  get decoderStats(): PoolStats {
    return this.pool.stats;
  }

  async transcribe(config: TranscribeConfig, audio: AsyncIterable<Uint8Array>, call: CallContext): Promise<TranscribeResponse> {
    for await (const event of this.transcribeStream(config, audio, call)) if (event.case === "final") return event.value;
    throw new Error("pocketsphinx ended without a final transcript");
  }

  async *transcribeStream(config: TranscribeConfig, audio: AsyncIterable<Uint8Array>, call: CallContext): AsyncGenerator<TranscriptEvent> {
    const language = checkLanguage(config.language, LANGUAGES, this.name);
    checkPcmEncoding(config, this.name);
    const decoder = await this.pool.acquire(call.signal);
    let healthy = true;
    try {
      const pcm = pcm16kMono(config, audio);
      decoder.start();
      let samples = 0;
      let last = "";
      for await (const chunk of pcm.chunks) {
        const text = await decoder.process(chunk);
        samples += chunk.length;
        if (text !== last && text !== "") {
          last = text;
          yield { case: "partial", value: { $typeName: "hoosh.v1.TranscriptPartial", text, endSeconds: samples / ENGINE_RATE_HZ } };
        }
      }
      const { text, words } = await decoder.finish();
      const res = create(TranscribeResponseSchema, { text, language, durationSeconds: pcm.seconds(), model: config.model });
      res.segments = segmentsOf(words, config.wordTimestamps);
      yield { case: "final", value: res };
    } catch (err) {
      // Validation and cancellation leave the decoder usable; a native failure (Internal) does not.
      healthy = err instanceof ConnectError && err.code !== Code.Internal;
      throw err;
    } finally {
      await decoder.end().catch(() => (healthy = false));
      this.pool.release(decoder, healthy);
    }
  }

  async close(): Promise<void> {
    this.pool.close();
  }
}

/** Words grouped into segments at pauses; per-word times when asked for. */
function segmentsOf(words: WordTime[], withWords: boolean) {
  const groups: WordTime[][] = [];
  for (const w of words) {
    const group = groups.at(-1);
    const prev = group?.at(-1);
    if (group && prev && w.startSeconds - prev.endSeconds <= SEGMENT_GAP_SECONDS) group.push(w);
    else groups.push([w]);
  }
  return groups.map((g) =>
    create(TranscriptSegmentSchema, {
      startSeconds: g[0]!.startSeconds,
      endSeconds: g.at(-1)!.endSeconds,
      text: g.map((w) => w.word).join(" "),
      words: withWords ? g.map((w) => ({ startSeconds: w.startSeconds, endSeconds: w.endSeconds, word: w.word })) : [],
    }),
  );
}
