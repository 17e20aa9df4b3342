// Output constraints as llama.cpp grammars: any JSON value for JSON mode, the caller's schema
// for JSON-schema mode. Compiling a schema grammar costs far more than a short generation, so
// grammars are kept per schema text (bounded, least recently used first out).
import type { Llama, LlamaGrammar } from "node-llama-cpp";
import { invalidArgument } from "../../core/errors.js";
import type { OutputFormat } from "./types.js";

const MAX_CACHED = 32;

export class Grammars {
  private readonly cache = new Map<string, Promise<LlamaGrammar>>();

  constructor(private readonly llama: Llama) {}

  /** The grammar for `format`, or undefined for free text. Throws InvalidArgument for a schema llama.cpp cannot compile. */
  async get(format: OutputFormat): Promise<LlamaGrammar | undefined> {
    if (format.kind === "text") return undefined;
    const key = format.kind === "json" ? "json" : JSON.stringify(format.schema);
    let grammar = this.cache.get(key);
    if (grammar) {
      this.cache.delete(key);
    } else {
      grammar = this.compile(format).catch((err: unknown) => {
        this.cache.delete(key);
        throw err;
      });
    }
    this.cache.set(key, grammar);
    if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    return grammar;
  }

  private async compile(format: Exclude<OutputFormat, { kind: "text" }>): Promise<LlamaGrammar> {
    if (format.kind === "json") return this.llama.getGrammarFor("json");
    try {
      // node-llama-cpp's GBNF converter takes a JSON Schema subset; it checks the shape itself.
      return await this.llama.createGrammarForJsonSchema(format.schema as Parameters<Llama["createGrammarForJsonSchema"]>[0]);
    } catch (err) {
      throw invalidArgument("response_format.json_schema", `cannot be turned into a grammar: ${(err as Error).message}`);
    }
  }
}
