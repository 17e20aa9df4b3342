// Server-Sent Events reader over a byte stream. Parsing is eventsource-parser's
// (handles chunks split anywhere, CRLF, comments, multi-line data).
import { createParser, type EventSourceMessage } from "eventsource-parser";

export async function* readSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => pending.push(event) });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (pending.length > 0) yield pending.shift()!;
  }
  parser.feed(decoder.decode());
  while (pending.length > 0) yield pending.shift()!;
}
