// The Synthesize pipeline: validate; route by model to providers that can speak; reserve the
// text's characters in the caller's budget pool; stream the first provider's audio (falling
// back to the next on a retryable error before any audio went out); finish the usage record
// (characters, audio seconds, cost) and charge it.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { UsageSchema } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { SynthesizeRequest } from "../../gen/ts/hoosh/v1/speech_pb.js";
import type { CallContext, Provider, SpeechEvent, SpeechRequest } from "../providers/provider.js";
import type { Accounting } from "./accounting/accounting.js";
import { isRetryable } from "./errors.js";
import type { Router } from "./router.js";
import { characterCount, validateSpeech } from "./speech-validate.js";

type Speaker = Provider & Required<Pick<Provider, "synthesize">>;
const canSpeak = (p: Provider): p is Speaker => typeof p.synthesize === "function";
interface Target {
  provider: Speaker;
  model: string;
}

export class Speech {
  constructor(
    private readonly router: Router,
    private readonly accounting: Pick<Accounting, "begin">,
  ) {}

  async *synthesize(request: Omit<SynthesizeRequest, "$typeName" | "$unknown">, call: CallContext): AsyncGenerator<SpeechEvent> {
    const req = validateSpeech(request);
    const targets = this.speakers(req);
    const characters = characterCount(req.input);
    // Priced by the model that serves it: tts-1 on the local engine costs 0, OpenAI's tts-1 its price.
    const charge = await this.accounting.begin({ kind: "units", req: { model: targets[0]!.model, budgetPool: req.budgetPool, metadata: {} }, units: characters }, call);
    try {
      const { provider, events, first } = await this.start(targets, req, call);
      try {
        for (let next = first; !next.done; next = await events.next()) {
          const event = next.value;
          if (event.case === "start") event.value.provider = provider.name;
          if (event.case === "end") {
            const usage = event.value.usage ?? create(UsageSchema);
            usage.provider = provider.name;
            usage.inputCharacters = characters;
            // Characters are what speech is billed by (OpenAI prices tts-1 per character).
            usage.inputTokens = characters;
            usage.audioSeconds ||= event.value.durationSeconds;
            event.value.usage = await charge.commit(usage, "");
          }
          yield event;
        }
      } finally {
        await events.return?.(undefined);
      }
    } finally {
      await charge.release();
    }
  }

  /** Providers able to speak, with the model id each serves (aliases such as tts-1 resolved). */
  private speakers(req: SpeechRequest): Target[] {
    const targets = this.router.targets(req.model, req.routing);
    const able = targets.filter((t): t is Target => canSpeak(t.provider));
    if (able.length === 0) {
      const names = [...new Set(targets.map((t) => `"${t.provider.name}"`))].join(", ");
      throw new ConnectError(`model "${req.model}" is served by ${names}, but none of them can synthesize speech`, Code.FailedPrecondition);
    }
    return able;
  }

  /** The first provider that starts speaking; the next is tried on a retryable error before its first event. */
  private async start(targets: Target[], req: SpeechRequest, call: CallContext) {
    let lastError: ConnectError | undefined;
    for (const { provider, model } of targets) {
      const events = provider.synthesize({ ...req, model }, call)[Symbol.asyncIterator]();
      try {
        const first = await events.next();
        if (call.stats) {
          call.stats.provider = provider.name;
          call.stats.attempts++;
        }
        return { provider, events, first };
      } catch (err) {
        const error = ConnectError.from(err);
        if (call.stats) {
          call.stats.provider = provider.name;
          call.stats.attempts++;
        }
        if (call.signal.aborted || !isRetryable(error)) throw error;
        lastError = error;
      }
    }
    throw lastError!;
  }
}
