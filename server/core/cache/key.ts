// The response-cache key: sha256 over a canonical serialization of every
// request field that changes the model's output, and of who may share it.
//
// In the key (each one changes what the model answers, or who may see it):
//   the partition (cache/scope.ts: "" when every caller allowed the model
//   shares, else the team or the key; [cache] scope), model (as requested),
//   the models the request reaches in order (Router.reach: aliases resolved,
//   fallback models; a reload that points an alias elsewhere starts afresh),
//   routing (provider, strategy, fallback models: fallback changes which model
//   answers, so an answer reached through a fallback is never handed to a plain
//   request), messages (role, name, tool_call_id,
//   content parts: text, image url or bytes + mime type + detail, audio bytes +
//   format; tool calls: id, name, arguments), tools (name, description,
//   parameters, strict), tool_choice, parallel_tool_calls, sampling
//   (temperature, top_p, max_tokens, stop in the given order, seed, presence
//   and frequency penalty; unset is distinct from 0 since unset means the
//   provider's default; top_k), response_format (type, schema name, schema,
//   strict), reasoning (effort, budget), logprobs and top_logprobs, and earlier
//   turns' reasoning parts. Fields added after v2 are written only when set, so
//   a request that does not use them keeps its v2 key.
// Not in the key:
//   metadata (log/cost tags), user (an end-user id for the provider's abuse
//   tracking; the answer does not depend on it), budget_pool (who pays, not
//   what is asked), cache (how to use the cache, not the question).
//
// Why canonical text and not toBinary(GenerateRequestSchema, req): protobuf-es
// binary output is deterministic for one object, but map fields are written in
// object key order, and google.protobuf.Struct (tool parameters, JSON schemas)
// is a map - so {"a":1,"b":2} and {"b":2,"a":1} would give different keys. The
// binary path would also need a projected copy of the request (create()) to
// leave out metadata/user/etc. bench/micro/cache.ts measures both; the
// canonical writer is the faster of the two and the only correct one.
//
// Strings are written quote-and-length-prefixed ('5:hello; 10x cheaper than
// JSON.stringify, measured; the quote ends any number written before it). A
// string with a lone surrogate - which UTF-8 encoding for the hash would turn
// into U+FFFD, making "\uD800" and "\uDBFF" alike - is written as
// "!" + JSON.stringify instead, which escapes it. Bytes go into the hash
// directly, length-prefixed, without base64. Without bytes the text is hashed
// in one shot (crypto.hash, Node >= 20.12: ~2x cheaper than
// createHash().update().digest()). The version prefix invalidates old keys
// when the format changes: "v2" added the partition, the reached models and
// routing (v1 keys, shared through Redis, may hold answers a fallback gave to
// a request that named one; none of them is ever read again).
import * as crypto from "node:crypto";

import type { JsonValue } from "@bufbuild/protobuf";

import type { ContentPart, Message, RoutingHints, SamplingParams, ToolDefinition } from "../../../gen/ts/hoosh/v1/chat_pb.js";
import type { ChatRequest } from "../../providers/provider.js";

/** The parts of a request the key reads (a ChatRequest or a GenerateStreamRequest). */
export type KeyedRequest = Pick<
  ChatRequest,
  "model" | "messages" | "tools" | "toolChoice" | "parallelToolCalls" | "sampling" | "responseFormat" | "routing"
> &
  Partial<Pick<ChatRequest, "reasoning" | "logprobs" | "topLogprobs">>;

/** What the key holds beyond the request: who shares the answer and which models can give it. */
export interface KeyContext {
  /** "" when every caller allowed the model shares it; else the team's or the key's partition (cache/scope.ts). */
  partition: string;
  /** Every model the request reaches, in order (Router.reach). */
  models: readonly string[];
}

/** 43-character base64url sha256 of the output-affecting fields. Without a context: shared by all, the model alone. */
export function cacheKey(req: KeyedRequest, ctx: KeyContext = { partition: "", models: [req.model] }): string {
  const w = new Writer("v2" + str(ctx.partition) + str(req.model) + "N" + ctx.models.length);
  for (const m of ctx.models) w.s += str(m);
  routing(w, req.routing);
  w.s += "M" + req.messages.length;
  for (const m of req.messages) message(w, m);
  w.s += "T" + req.tools.length;
  for (const t of req.tools) tool(w, t);
  const tc = req.toolChoice?.choice;
  w.s += "C" + (tc === undefined || tc.case === undefined ? "-" : tc.case === "mode" ? "m" + tc.value : "f" + str(tc.value));
  w.s += "P" + opt(req.parallelToolCalls);
  sampling(w, req.sampling);
  const rf = req.responseFormat;
  w.s += rf === undefined ? "R-" : "R" + rf.type + str(rf.schemaName) + canonicalJson(rf.jsonSchema) + (rf.strict ? "1" : "0");
  const r = req.reasoning;
  if (r && (r.effort !== 0 || r.budgetTokens !== undefined)) w.s += "Z" + r.effort + "," + opt(r.budgetTokens);
  if (req.logprobs) w.s += "L" + opt(req.topLogprobs);
  return w.digest();
}

/** One-shot sha256 where the runtime has it (Node >= 20.12). */
const oneShot: ((text: string) => string) | undefined =
  typeof crypto.hash === "function" ? (text) => crypto.hash("sha256", text, "base64url") : undefined;

/** Accumulates text; a streaming hash starts only when bytes come along, so bytes are never re-encoded. */
class Writer {
  private hash: crypto.Hash | undefined;
  constructor(public s: string) {}
  bytes(b: Uint8Array): void {
    this.hash ??= crypto.createHash("sha256");
    this.hash.update(this.s + "b" + b.length + ":");
    this.hash.update(b);
    this.s = "";
  }
  digest(): string {
    if (this.hash === undefined && oneShot !== undefined) return oneShot(this.s);
    return (this.hash ?? crypto.createHash("sha256")).update(this.s).digest("base64url");
  }
}

function message(w: Writer, m: Message): void {
  w.s += "m" + m.role + str(m.name) + str(m.toolCallId) + "c" + m.content.length;
  for (const p of m.content) part(w, p.part);
  w.s += "k" + m.toolCalls.length;
  for (const c of m.toolCalls) w.s += str(c.id) + str(c.name) + str(c.arguments);
}

function part(w: Writer, p: ContentPart["part"]): void {
  switch (p.case) {
    case "text":
      w.s += "t" + str(p.value);
      return;
    case "image": {
      const src = p.value.source;
      w.s += "i" + p.value.detail + str(p.value.mimeType);
      if (src.case === "url") w.s += "u" + str(src.value);
      else if (src.case === "data") w.bytes(src.value);
      else w.s += "-";
      return;
    }
    case "audio":
      w.s += "a" + str(p.value.format);
      w.bytes(p.value.data);
      return;
    case "reasoning":
      w.s += "r" + str(p.value.text) + str(p.value.signature) + str(p.value.redacted);
      return;
    default:
      w.s += "-";
  }
}

function tool(w: Writer, t: ToolDefinition): void {
  w.s += "f" + str(t.name) + str(t.description) + canonicalJson(t.parameters) + (t.strict ? "1" : "0");
}

/** Unset hints and empty ones ask the same thing. */
function routing(w: Writer, r: RoutingHints | undefined): void {
  const fallbacks = r?.fallbackModels ?? [];
  w.s += "H" + str(r?.provider ?? "") + (r?.strategy ?? 0) + "," + fallbacks.length;
  for (const m of fallbacks) w.s += str(m);
}

function sampling(w: Writer, s: SamplingParams | undefined): void {
  if (s === undefined) {
    w.s += "S-";
    return;
  }
  w.s += "S" + opt(s.temperature) + "," + opt(s.topP) + "," + opt(s.maxTokens) + "," + opt(s.seed) + "," +
    opt(s.presencePenalty) + "," + opt(s.frequencyPenalty) + "," + s.stop.length;
  for (const stop of s.stop) w.s += str(stop);
  if (s.topK !== undefined) w.s += "k" + s.topK;
}

/** Unambiguous string: length-prefixed, or escaped JSON when not well-formed UTF-16. */
function str(s: string): string {
  return (s as unknown as WellFormed).isWellFormed() ? "'" + s.length + ":" + s : "!" + JSON.stringify(s);
}

/** String.prototype.isWellFormed (Node 20; typed from lib ES2024 on). */
interface WellFormed { isWellFormed(): boolean }

function opt(v: number | bigint | boolean | undefined): string {
  return v === undefined ? "-" : String(v);
}

/** JSON with object keys sorted at every depth; "-" for an absent value. */
export function canonicalJson(v: JsonValue | undefined): string {
  if (v === undefined) return "-";
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) {
    let out = "[";
    for (let i = 0; i < v.length; i++) out += (i ? "," : "") + canonicalJson(v[i]);
    return out + "]";
  }
  const keys = Object.keys(v).sort();
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    out += (i ? "," : "") + JSON.stringify(k) + ":" + canonicalJson(v[k]);
  }
  return out + "}";
}
