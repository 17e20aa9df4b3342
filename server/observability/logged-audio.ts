// Request-log records for the audio calls (speech to text and text to speech), like the chat and
// embeddings records instrumented-inference.ts writes: a decorator over Transcription and Speech
// that writes one record per call when it ends (answered, failed or cancelled). The transcript or
// the spoken text is logged only with [log] payloads (redacted).
import { Code, ConnectError } from "@connectrpc/connect";
import type { Usage } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { TranscribeResponse } from "../../gen/ts/hoosh/v1/transcribe_pb.js";
import type { RequestSink } from "../core/requests/log.js";
import type { Speech } from "../core/speech.js";
import type { Transcription } from "../core/transcribe.js";
import type { CallContext, SpeechEvent, TranscriptEvent } from "../providers/provider.js";
import { codeName } from "./metrics.js";
import { requestRecord } from "./request-record.js";

export type TranscriptionApi = Pick<Transcription, "transcribe" | "transcribeStream">;
export type SpeechApi = Pick<Speech, "synthesize">;
type TranscribeMessages = Parameters<Transcription["transcribe"]>[0];
type TranscribeMessage = TranscribeMessages extends AsyncIterable<infer M> ? M : never;

/** One audio call being measured. */
class AudioCall {
  private readonly startedAt = Date.now();
  private readonly t0 = performance.now();
  private ttftMs: number | undefined;
  model = "";
  prompt = "";

  constructor(
    private readonly sink: RequestSink,
    private readonly operation: string,
    private readonly call: CallContext,
    private readonly edge: string,
    private readonly stream: boolean,
  ) {}

  firstOutput(): void {
    this.ttftMs ??= performance.now() - this.t0;
  }

  end(usage: Usage | undefined, err?: unknown, answer?: string): void {
    const error = err === undefined ? undefined : ConnectError.from(err);
    this.sink.write(
      requestRecord(
        {
          startedAt: this.startedAt,
          edge: this.edge,
          operation: this.operation,
          model: this.model,
          call: this.call,
          status: error ? codeName(error.code) : "OK",
          usage,
          latencyMs: performance.now() - this.t0,
          ttftMs: this.stream ? this.ttftMs : undefined,
          stream: this.stream,
          error: error?.rawMessage,
          prompt: () => [this.prompt],
          answer,
        },
        this.sink,
      ),
    );
  }
}

/** The request messages, passed through; the config's model is noted on the way. */
async function* noting(messages: TranscribeMessages, into: AudioCall): AsyncGenerator<TranscribeMessage> {
  for await (const m of messages) {
    if (m.payload.case === "config") into.model = m.payload.value.model;
    yield m;
  }
}

export class LoggedTranscription implements TranscriptionApi {
  constructor(
    private readonly inner: TranscriptionApi,
    private readonly sink: RequestSink,
    /** The edge when the call does not name one (REST: "openai"). */
    private readonly edge: string,
  ) {}

  async transcribe(requests: TranscribeMessages, call: CallContext): Promise<TranscribeResponse> {
    const m = new AudioCall(this.sink, "transcription", call, call.edge ?? this.edge, false);
    try {
      const res = await this.inner.transcribe(noting(requests, m), call);
      m.end(res.usage, undefined, this.sink.payloads ? res.text : undefined);
      return res;
    } catch (err) {
      m.end(undefined, err);
      throw err;
    }
  }

  async *transcribeStream(requests: TranscribeMessages, call: CallContext): AsyncGenerator<TranscriptEvent> {
    const m = new AudioCall(this.sink, "transcription", call, call.edge ?? this.edge, true);
    let final: TranscribeResponse | undefined;
    let failure: unknown;
    try {
      for await (const event of this.inner.transcribeStream(noting(requests, m), call)) {
        m.firstOutput();
        if (event.case === "final") final = event.value;
        yield event;
      }
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      // A caller that stopped reading before the final is a cancelled call.
      m.end(final?.usage, failure ?? (final ? undefined : new ConnectError("stream ended before its final transcript", Code.Canceled)), this.sink.payloads ? final?.text : undefined);
    }
  }
}

export class LoggedSpeech implements SpeechApi {
  constructor(
    private readonly inner: SpeechApi,
    private readonly sink: RequestSink,
    private readonly edge: string,
  ) {}

  async *synthesize(req: Parameters<Speech["synthesize"]>[0], call: CallContext): AsyncGenerator<SpeechEvent> {
    const m = new AudioCall(this.sink, "speech", call, call.edge ?? this.edge, true);
    m.model = req.model;
    m.prompt = req.input;
    let usage: Usage | undefined;
    let ended = false;
    let failure: unknown;
    try {
      for await (const event of this.inner.synthesize(req, call)) {
        if (event.case === "audio") m.firstOutput();
        if (event.case === "end") {
          usage = event.value.usage;
          ended = true;
        }
        yield event;
      }
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      m.end(usage, failure ?? (ended ? undefined : new ConnectError("stream ended before its end event", Code.Canceled)));
    }
  }
}
