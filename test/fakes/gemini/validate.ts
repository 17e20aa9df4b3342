// Request checks the way Google's API front end does them: unknown JSON
// fields are rejected (proto3 JSON parsing; camelCase or snake_case names),
// then the generateContent rules Gemini enforces (roles, non-empty parts,
// function responses matching the calls, OBJECT schemas with properties,
// supported formats, required names that exist, response MIME types).
import { invalidRequest, type GoogleError } from "./errors.js";

type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const names = (...list: string[]): Set<string> => new Set(list.flatMap((n) => [n, snake(n)]));

/** A field read by its camelCase name or its snake_case twin. */
export function field(obj: Json, name: string): unknown {
  return obj[name] ?? obj[snake(name)];
}

export class Invalid extends Error {
  constructor(readonly error: GoogleError) {
    super(error.message);
  }
}

const REQUEST = names("model", "contents", "systemInstruction", "tools", "toolConfig", "safetySettings", "generationConfig", "cachedContent");
const CONTENT = names("role", "parts");
const PART = names(
  "text", "inlineData", "fileData", "functionCall", "functionResponse", "thought", "thoughtSignature", "executableCode", "codeExecutionResult", "videoMetadata",
);
const BLOB = names("mimeType", "data");
const FILE = names("mimeType", "fileUri");
const CALL = names("id", "name", "args");
const RESPONSE = names("id", "name", "response", "willContinue", "scheduling");
const TOOL = names("functionDeclarations", "codeExecution", "googleSearch", "googleSearchRetrieval", "urlContext");
const DECLARATION = names("name", "description", "parameters", "parametersJsonSchema", "response", "responseJsonSchema", "behavior");
const TOOL_CONFIG = names("functionCallingConfig", "retrievalConfig");
const CALLING = names("mode", "allowedFunctionNames");
const GENERATION = names(
  "stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema", "candidateCount", "maxOutputTokens", "temperature", "topP", "topK",
  "seed", "presencePenalty", "frequencyPenalty", "responseLogprobs", "logprobs", "thinkingConfig", "responseModalities", "mediaResolution", "speechConfig",
);
const SCHEMA = names(
  "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required", "minProperties", "maxProperties",
  "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering", "default", "items", "minimum", "maximum",
);
const TYPES = new Set(["TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"]);
const FORMATS: Record<string, Set<string>> = {
  STRING: new Set(["enum", "date-time"]),
  NUMBER: new Set(["float", "double"]),
  INTEGER: new Set(["int32", "int64"]),
};
const MODES = new Set(["MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"]);
const MIME_TYPES = new Set(["text/plain", "application/json", "application/xml", "application/yaml", "text/x.enum"]);

function object(value: unknown, allowed: Set<string>, at: string): Json {
  if (!isObject(value)) throw new Invalid(invalidRequest(at, `Invalid JSON payload received. Expected an object at '${at}'.`));
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) {
      const where = at ? ` at '${at}'` : "";
      throw new Invalid(invalidRequest(at, `Invalid JSON payload received. Unknown name "${key}"${where}: Cannot find field.`));
    }
  }
  return value;
}

function list(value: unknown, at: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Invalid(invalidRequest(at, `Invalid JSON payload received. Expected an array at '${at}'.`));
  return value;
}

/** The rule violations Google lists as "* GenerateContentRequest.<path>: <problem>". */
function rule(path: string, problem: string): Invalid {
  return new Invalid(invalidRequest(path, `* GenerateContentRequest.${path}: ${problem}\n`));
}

export function checkSchema(value: unknown, at: string, topLevelParameters = false): void {
  const s = object(value, SCHEMA, at);
  const rawType = field(s, "type");
  if (rawType !== undefined && (typeof rawType !== "string" || !TYPES.has(rawType.toUpperCase()))) {
    const message = `Invalid value at '${at}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), ${JSON.stringify(rawType)}`;
    throw new Invalid(invalidRequest(`${at}.type`, message));
  }
  const type = typeof rawType === "string" ? rawType.toUpperCase() : undefined;
  const format = field(s, "format");
  if (typeof format === "string" && type && FORMATS[type] && !FORMATS[type].has(format)) {
    throw rule(`${at}.format`, `only ${[...FORMATS[type]].map((f) => `'${f}'`).join(" and ")} are supported for ${type} type`);
  }
  const properties = field(s, "properties");
  if (properties !== undefined) {
    const all = object(properties, new Set(isObject(properties) ? Object.keys(properties) : []), `${at}.properties`);
    for (const [key, sub] of Object.entries(all)) checkSchema(sub, `${at}.properties[${key}]`);
  }
  if (topLevelParameters && type === "OBJECT" && (!isObject(properties) || Object.keys(properties).length === 0)) {
    throw rule(`${at}.properties`, "should be non-empty for OBJECT type");
  }
  list(field(s, "required"), `${at}.required`).forEach((name, i) => {
    const defined = isObject(properties) && typeof name === "string" && Object.hasOwn(properties, name);
    if (!defined) throw rule(`${at}.required[${i}]`, "property is not defined");
  });
  if (field(s, "items") !== undefined) checkSchema(field(s, "items"), `${at}.items`);
  list(field(s, "anyOf"), `${at}.any_of`).forEach((sub, i) => checkSchema(sub, `${at}.any_of[${i}]`));
}

function checkContents(body: Json): void {
  const contents = list(field(body, "contents"), "contents");
  if (contents.length === 0) throw rule("contents", "contents is not specified");
  let previous: Json | undefined;
  contents.forEach((raw, i) => {
    const at = `contents[${i}]`;
    const c = object(raw, CONTENT, at);
    const role = field(c, "role");
    if (role !== undefined && role !== "user" && role !== "model") throw new Invalid(invalidRequest(`${at}.role`, "Please use a valid role: user, model."));
    const parts = list(field(c, "parts"), `${at}.parts`);
    if (parts.length === 0) throw rule(`${at}.parts`, "contents.parts must not be empty.");
    parts.forEach((p, j) => {
      const part = object(p, PART, `${at}.parts[${j}]`);
      if (field(part, "inlineData") !== undefined) object(field(part, "inlineData"), BLOB, `${at}.parts[${j}].inline_data`);
      if (field(part, "fileData") !== undefined) object(field(part, "fileData"), FILE, `${at}.parts[${j}].file_data`);
      if (field(part, "functionCall") !== undefined) object(field(part, "functionCall"), CALL, `${at}.parts[${j}].function_call`);
      if (field(part, "functionResponse") !== undefined) object(field(part, "functionResponse"), RESPONSE, `${at}.parts[${j}].function_response`);
    });
    const responses = parts.filter((p) => field(p as Json, "functionResponse") !== undefined).length;
    if (responses > 0) {
      const previousParts = previous ? list(field(previous, "parts"), "") : [];
      const calls = previousParts.filter((p) => field(p as Json, "functionCall") !== undefined).length;
      if (calls !== responses) {
        throw new Invalid(
          invalidRequest(at, "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn."),
        );
      }
    }
    previous = c;
  });
}

function checkTools(body: Json): Set<string> {
  const declared = new Set<string>();
  list(field(body, "tools"), "tools").forEach((raw, i) => {
    const tool = object(raw, TOOL, `tools[${i}]`);
    list(field(tool, "functionDeclarations"), `tools[${i}].function_declarations`).forEach((d, j) => {
      const at = `tools[${i}].function_declarations[${j}]`;
      const decl = object(d, DECLARATION, at);
      if (typeof decl.name !== "string" || !/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/.test(decl.name)) throw rule(`${at}.name`, "Invalid function name.");
      declared.add(decl.name);
      if (decl.parameters !== undefined) checkSchema(decl.parameters, `${at}.parameters`, true);
    });
  });
  return declared;
}

function checkToolConfig(value: unknown, declared: Set<string>): void {
  const calling = field(object(value, TOOL_CONFIG, "tool_config"), "functionCallingConfig");
  if (calling === undefined) return;
  const at = "tool_config.function_calling_config";
  const fcc = object(calling, CALLING, at);
  const mode = field(fcc, "mode") ?? "MODE_UNSPECIFIED";
  if (typeof mode !== "string" || !MODES.has(mode)) {
    throw new Invalid(invalidRequest(`${at}.mode`, `Invalid value at '${at}.mode', ${JSON.stringify(mode)}`));
  }
  const allowed = list(field(fcc, "allowedFunctionNames"), `${at}.allowed_function_names`);
  if (allowed.length > 0 && mode !== "ANY") throw rule(`${at}.allowed_function_names`, "only allowed when function calling mode is ANY");
  allowed.forEach((n, i) => {
    if (typeof n !== "string" || !declared.has(n)) throw rule(`${at}.allowed_function_names[${i}]`, "function not declared in tools");
  });
}

function checkGenerationConfig(value: unknown): void {
  const g = object(value, GENERATION, "generation_config");
  const mime = field(g, "responseMimeType");
  if (mime !== undefined && (typeof mime !== "string" || !MIME_TYPES.has(mime))) {
    throw rule("generation_config.response_mime_type", `allowed mimetypes are ${[...MIME_TYPES].map((m) => `\`${m}\``).join(", ")}.`);
  }
  const schema = field(g, "responseSchema");
  if (schema !== undefined) {
    if (mime !== "application/json" && mime !== "text/x.enum") {
      throw rule("generation_config.response_mime_type", "response_mime_type must be application/json or text/x.enum when response_schema is set");
    }
    checkSchema(schema, "generation_config.response_schema");
  }
  const seed = field(g, "seed");
  if (seed !== undefined && (!Number.isInteger(seed) || Math.abs(seed as number) > 2 ** 31)) {
    throw new Invalid(invalidRequest("generation_config.seed", `Invalid value at 'generation_config.seed' (TYPE_INT32), ${JSON.stringify(seed)}`));
  }
}

export function checkGenerateRequest(body: Json): void {
  object(body, REQUEST, "");
  checkContents(body);
  const system = field(body, "systemInstruction");
  if (system !== undefined) {
    const parts = list(field(object(system, CONTENT, "system_instruction"), "parts"), "system_instruction.parts");
    parts.forEach((p, j) => object(p, PART, `system_instruction.parts[${j}]`));
  }
  const declared = checkTools(body);
  if (field(body, "toolConfig") !== undefined) checkToolConfig(field(body, "toolConfig"), declared);
  if (field(body, "generationConfig") !== undefined) checkGenerationConfig(field(body, "generationConfig"));
}
