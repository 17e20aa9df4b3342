// A tool call's arguments as the JSON object vendors that take structured
// arguments need (Gemini functionCall.args, Bedrock toolUse.input); "" (a call
// without arguments) is {}. Bad input is InvalidArgument naming the field.
import { invalidArgument, showValue } from "../core/errors.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function argumentsObject(text: string, field: string, vendor: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidArgument(field, `${showValue(text)} is not valid JSON; ${vendor} needs the arguments as a JSON object`);
  }
  if (!isObject(parsed)) throw invalidArgument(field, `${showValue(text)} is not a JSON object; ${vendor} needs the arguments as a JSON object`);
  return parsed;
}
