// hoosh answers bad input with INVALID_ARGUMENT and a message that starts with the field's path
// ("key.models[1]: ..."). A form turns that into its own label, so the user reads which field
// to fix, and learns which input to mark and focus.
import { Code, ConnectError } from "@connectrpc/connect";
import { plainError } from "./errors.js";

export interface FieldError {
  /** What to show: plain words, the field's label and hoosh's own reason. */
  text: string;
  /** The form's key for the field (the path prefix matched), when one matched. */
  field?: string;
}

/** Codes whose messages name a field (e.g. ALREADY_EXISTS for a key name that is taken). */
const FIELD_CODES = [Code.InvalidArgument, Code.AlreadyExists];
/** "<path>: <problem>", the path as hoosh names fields: key.models[1], key.limits.rpm, grace_period. */
const FIELD_MESSAGE = /^([a-z_.]+(?:\[[^\]]*\])?[a-z_.]*): (.*)$/s;

/** `labels`: field path prefix (e.g. "key.limits.rpm") → label; the longest matching prefix wins. */
export function fieldError(err: unknown, labels: Readonly<Record<string, string>>): FieldError {
  const e = ConnectError.from(err);
  const m = FIELD_CODES.includes(e.code) ? FIELD_MESSAGE.exec(e.rawMessage) : null;
  if (!m) return { text: plainError(err) };
  const [, path, problem] = m as unknown as [string, string, string];
  const field = Object.keys(labels)
    .filter((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`))
    .sort((a, b) => b.length - a.length)[0];
  if (!field) return { text: plainError(err) };
  return { text: `${plainError(new ConnectError("", e.code))} ${labels[field]} (${path}): ${problem}`, field };
}
