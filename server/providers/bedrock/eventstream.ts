// The AWS event-stream binary framing of ConverseStream
// (application/vnd.amazon.eventstream): frames are cut from the byte stream by
// their length prelude, and each is decoded (CRCs checked, headers parsed) by
// @smithy/eventstream-codec.
import { Code, ConnectError } from "@connectrpc/connect";
import type { EventStreamCodec } from "@smithy/eventstream-codec";

export interface EventFrame {
  /** "event", "exception" or "error". */
  messageType: string;
  /** :event-type, or :exception-type / :error-code for failures. */
  type: string;
  body: string;
}

/** The largest frame accepted (AWS caps event-stream messages at 16 MiB). */
const MAX_FRAME = 16 * 1024 * 1024;
const PRELUDE = 12;

function headerText(headers: Record<string, { type: string; value: unknown }>, name: string): string {
  const h = headers[name];
  return h && typeof h.value === "string" ? h.value : "";
}

// Loaded on first stream: a hoosh without bedrock providers never pays for the codec.
let loading: Promise<{ codec: EventStreamCodec; toUtf8: (bytes: Uint8Array) => string }> | undefined;
const load = async () => {
  const [{ EventStreamCodec: Codec }, { fromUtf8, toUtf8 }] = await Promise.all([import("@smithy/eventstream-codec"), import("@smithy/util-utf8")]);
  return { codec: new Codec(toUtf8, fromUtf8), toUtf8 };
};

export async function* eventFrames(provider: string, body: AsyncIterable<Uint8Array>): AsyncGenerator<EventFrame> {
  const { codec, toUtf8 } = await (loading ??= load());
  let buffer = Buffer.alloc(0);
  for await (const chunk of body) {
    buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, chunk]);
    while (buffer.length >= PRELUDE) {
      const length = buffer.readUInt32BE(0);
      if (length < PRELUDE + 4 || length > MAX_FRAME) {
        throw new ConnectError(`provider "${provider}" sent an event-stream frame of impossible length ${length}`, Code.Internal);
      }
      if (buffer.length < length) break;
      const frame = buffer.subarray(0, length);
      buffer = buffer.subarray(length);
      let message: ReturnType<EventStreamCodec["decode"]>;
      try {
        message = codec.decode(frame);
      } catch (err) {
        throw new ConnectError(`provider "${provider}" sent a corrupt event-stream frame: ${(err as Error).message}`, Code.Internal);
      }
      const messageType = headerText(message.headers, ":message-type") || "event";
      const type = headerText(message.headers, messageType === "event" ? ":event-type" : messageType === "exception" ? ":exception-type" : ":error-code");
      yield { messageType, type, body: toUtf8(message.body) };
    }
  }
  if (buffer.length > 0) throw new ConnectError(`provider "${provider}" ended the stream inside an event-stream frame`, Code.Unavailable);
}
