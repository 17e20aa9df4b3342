// Property tests: the SSE and NDJSON byte-stream readers under arbitrary input and arbitrary chunking.
import { ConnectError } from "@connectrpc/connect";
import fc from "fast-check";
import { describe as suite, expect, it } from "vitest";
import { readNdjson } from "../../server/providers/ndjson.js";
import { readSse } from "../../server/providers/sse.js";
import { budget, cutsArb, describe, drain, splitAt, stream } from "./helpers.js";

const enc = new TextEncoder();

/** A field value with no line breaks; graphemes include multi-byte UTF-8 (cut mid-char by splitAt). */
const lineText = fc.string({ unit: "grapheme", maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ""));
const eol = fc.constantFrom("\n", "\r\n", "\r");

interface SseEvent {
  event?: string;
  data: string[];
  comment?: string;
}

const sseEvent: fc.Arbitrary<SseEvent> = fc.record(
  {
    event: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 12 }).filter((s) => !/[\r\n:\s]/.test(s)),
    data: fc.array(lineText, { minLength: 1, maxLength: 4 }),
    comment: lineText,
  },
  { requiredKeys: ["data"] },
);

function serialize(events: readonly SseEvent[], eols: readonly string[]): string {
  // One line ending per event: a CR followed by the next line's LF would be one CRLF, not two ends.
  let out = "";
  for (const [i, e] of events.entries()) {
    const nl = () => eols[i % eols.length]!;
    if (e.comment !== undefined) out += `:${e.comment}${nl()}`;
    if (e.event !== undefined) out += `event: ${e.event}${nl()}`;
    for (const d of e.data) out += `data: ${d}${nl()}`;
    out += nl();
  }
  // A stream whose very last byte is a lone CR leaves the parser waiting for a possible LF, so the
  // last event is never dispatched (readSse does not flush at end of body): end such streams with LF.
  return out.endsWith("\r") ? `${out}\n` : out;
}

suite("readSse (fuzz)", () => {
  it("arbitrary bytes split anywhere: never throws, terminates, same events as unsplit", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), cutsArb(2048), async (bytes, cuts) => {
        runs++;
        const whole = await drain(readSse(stream([bytes])));
        const split = await drain(readSse(stream(splitAt(bytes, cuts))));
        if (whole.error !== undefined) throw new Error(`readSse threw: ${describe(whole.error)}`);
        if (split.error !== undefined) throw new Error(`readSse threw: ${describe(split.error)}`);
        expect(split.items).toEqual(whole.items);
      }),
      budget(3000),
    );
    expect(runs).toBeGreaterThan(100);
  });

  it("well-formed events (CRLF/CR/LF, comments, multi-byte UTF-8) split anywhere: the events as written", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(sseEvent, { maxLength: 8 }),
        fc.array(eol, { minLength: 1, maxLength: 5 }),
        cutsArb(2048),
        async (events, eols, cuts) => {
          runs++;
          const bytes = enc.encode(serialize(events, eols));
          const whole = await drain(readSse(stream([bytes])));
          const split = await drain(readSse(stream(splitAt(bytes, cuts))));
          expect(whole.error).toBeUndefined();
          expect(split.error).toBeUndefined();
          expect(split.items).toEqual(whole.items);
          expect(whole.items.map((m) => ({ event: m.event, data: m.data }))).toEqual(
            events.map((e) => ({ event: e.event, data: e.data.join("\n") })),
          );
        },
      ),
      budget(3000),
    );
    expect(runs).toBeGreaterThan(100);
  });

  it("byte-at-a-time delivery of a multi-byte payload equals whole delivery", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(sseEvent, { minLength: 1, maxLength: 3 }), async (events) => {
        const bytes = enc.encode(serialize(events, ["\r\n"]));
        const oneByOne = [...bytes].map((b) => Uint8Array.of(b));
        const split = await drain(readSse(stream(oneByOne)));
        expect(split.error).toBeUndefined();
        expect(split.items.map((m) => m.data)).toEqual(events.map((e) => e.data.join("\n")));
      }),
      budget(500),
    );
  });
});

suite("readNdjson (fuzz)", () => {
  const outcome = async (chunks: Uint8Array[]) => {
    const r = await drain(readNdjson<unknown>(stream(chunks), "fuzz"));
    if (r.error !== undefined && !(r.error instanceof ConnectError)) throw new Error(`readNdjson threw a non-ConnectError: ${describe(r.error)}`);
    return { items: r.items, error: r.error instanceof ConnectError ? r.error.message : undefined };
  };

  it("arbitrary bytes split anywhere: only ConnectError, terminates, same outcome as unsplit", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), cutsArb(2048), async (bytes, cuts) => {
        runs++;
        const whole = await outcome([bytes]);
        const split = await outcome(splitAt(bytes, cuts));
        expect(split).toEqual(whole);
        if (whole.error !== undefined) expect(whole.error).toMatch(/provider "fuzz" sent a stream line that is not JSON/);
      }),
      budget(3000),
    );
    expect(runs).toBeGreaterThan(100);
  });

  it("JSON-ish text lines (some broken) split anywhere: only ConnectError, same outcome as unsplit", async () => {
    const line = fc.oneof(
      fc.json({ maxDepth: 3 }),
      fc.string({ unit: "grapheme", maxLength: 30 }),
      fc.constantFrom("", " ", "\t", "{", "}", "[1,", "null", '"\\u12"'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 10 }), fc.array(eol, { minLength: 1, maxLength: 3 }), cutsArb(1024), async (lines, eols, cuts) => {
        const text = lines.map((l, i) => l + eols[i % eols.length]!).join("");
        const bytes = enc.encode(text);
        expect(await outcome(splitAt(bytes, cuts))).toEqual(await outcome([bytes]));
      }),
      budget(3000),
    );
  });

  it("valid JSON values, one per line (LF or CRLF, last line maybe unterminated), split anywhere: the values", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 8 }),
        fc.constantFrom("\n", "\r\n"),
        fc.boolean(),
        cutsArb(2048),
        async (values, nl, trailing, cuts) => {
          const text = values.map((v) => JSON.stringify(v)).join(nl) + (trailing ? nl : "");
          const r = await outcome(splitAt(enc.encode(text), cuts));
          expect(r.error).toBeUndefined();
          // JSON round trip normalises -0 to 0, as the reader's JSON.parse does.
          expect(r.items).toEqual(values.map((v) => JSON.parse(JSON.stringify(v))));
        },
      ),
      budget(3000),
    );
  });
});
