// google.api.http path templates, compiled once at startup into matchers.
// Grammar (google/api/http.proto):
//   Template  = "/" Segments [ Verb ] ;
//   Segments  = Segment { "/" Segment } ;
//   Segment   = "*" | "**" | LITERAL | Variable ;
//   Variable  = "{" FieldPath [ "=" Segments ] "}" ;
//   FieldPath = IDENT { "." IDENT } ;
//   Verb      = ":" LITERAL ;
// Choices (as grpc-gateway): "{x}" means "{x=*}"; "**" matches zero or more
// segments and must be the last segment; "*" never matches an empty segment.
// Request paths are split and URL-decoded once (splitPath); a variable's value
// is its matched segments joined with "/", so "{id=**}" keeps slashes and
// "%2F" inside one segment decodes to "/".

export type Token = { kind: "literal"; value: string } | { kind: "any" } | { kind: "deep" };

export interface TemplateVariable {
  /** Field path, e.g. ["pool", "name"] for "{pool.name}". */
  fieldPath: string[];
  /** Tokens [start, end) the variable captures; a capture ending in "**" takes every remaining segment. */
  start: number;
  end: number;
}

export interface PathTemplate {
  source: string;
  tokens: Token[];
  variables: TemplateVariable[];
  verb: string | undefined;
}

export class TemplateError extends Error {
  override name = "TemplateError";
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LITERAL = /^[^/{}*=]+$/;

export function compileTemplate(source: string): PathTemplate {
  const fail = (why: string): never => {
    throw new TemplateError(`path template ${JSON.stringify(source)}: ${why}`);
  };
  if (!source.startsWith("/")) fail('must start with "/"');
  const colon = source.lastIndexOf(":");
  const hasVerb = colon > source.lastIndexOf("/") && colon > source.lastIndexOf("}");
  const verb = hasVerb ? source.slice(colon + 1) : undefined;
  if (verb !== undefined && !LITERAL.test(verb)) fail(`verb ${JSON.stringify(verb)} is not a literal`);
  const path = hasVerb ? source.slice(1, colon) : source.slice(1);

  const tokens: Token[] = [];
  const variables: TemplateVariable[] = [];
  const seen = new Set<string>();
  const addSegments = (text: string, inVariable: boolean) => {
    for (const seg of text.split("/")) {
      if (seg === "") fail("empty segment");
      else if (seg === "*") tokens.push({ kind: "any" });
      else if (seg === "**") tokens.push({ kind: "deep" });
      else if (LITERAL.test(seg)) tokens.push({ kind: "literal", value: seg });
      else fail(`${JSON.stringify(seg)} is not a literal, "*", "**"${inVariable ? "" : " or {variable}"}`);
    }
  };

  for (const piece of splitOutsideBraces(path, fail)) {
    if (!piece.startsWith("{")) {
      addSegments(piece, false);
      continue;
    }
    if (!piece.endsWith("}")) fail(`variable ${JSON.stringify(piece)} must be a whole segment`);
    const inner = piece.slice(1, -1);
    const eq = inner.indexOf("=");
    const name = eq < 0 ? inner : inner.slice(0, eq);
    const fieldPath = name.split(".");
    if (!fieldPath.every((p) => IDENT.test(p))) fail(`variable name ${JSON.stringify(name)} is not a field path`);
    if (seen.has(name)) fail(`variable ${name} appears twice`);
    seen.add(name);
    const start = tokens.length;
    if (eq < 0) tokens.push({ kind: "any" });
    else addSegments(inner.slice(eq + 1), true);
    variables.push({ fieldPath, start, end: tokens.length });
  }
  const deep = tokens.findIndex((t) => t.kind === "deep");
  if (deep >= 0 && deep !== tokens.length - 1) fail('"**" must be the last segment');
  return { source, tokens, variables, verb };
}

/** Splits "a/{b=c/*}/d" into ["a", "{b=c/*}", "d"]: slashes inside braces do not split. */
function splitOutsideBraces(path: string, fail: (why: string) => never): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === "{") {
      if (depth > 0) fail("nested braces");
      depth++;
    } else if (c === "}") {
      if (depth === 0) fail('unbalanced "}"');
      depth--;
    } else if (c === "/" && depth === 0) {
      pieces.push(path.slice(from, i));
      from = i + 1;
    }
  }
  if (depth !== 0) fail('unbalanced "{"');
  pieces.push(path.slice(from));
  return pieces;
}

/**
 * A request path (no query) as URL-decoded segments; one trailing slash is ignored
 * ("/hoosh/v1/models/" is "/hoosh/v1/models"). Throws URIError on bad percent-encoding.
 */
export function splitPath(rawPath: string): string[] {
  let path = rawPath.startsWith("/") ? rawPath.slice(1) : rawPath;
  if (path.endsWith("/")) path = path.slice(0, -1);
  return path.split("/").map((s) => (s.includes("%") ? decodeURIComponent(s) : s));
}

/** The variables' values in template.variables order, or undefined when the path does not match. */
export function matchTemplate(t: PathTemplate, segments: readonly string[]): string[] | undefined {
  let segs = segments;
  if (t.verb !== undefined) {
    const last = segs[segs.length - 1];
    const suffix = `:${t.verb}`;
    if (last === undefined || !last.endsWith(suffix)) return undefined;
    segs = [...segs.slice(0, -1), last.slice(0, -suffix.length)];
  }
  const { tokens } = t;
  const deep = tokens.length > 0 && tokens[tokens.length - 1]?.kind === "deep";
  if (deep ? segs.length < tokens.length - 1 : segs.length !== tokens.length) return undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const seg = segs[i];
    if (token.kind === "literal" && seg !== token.value) return undefined;
    if (token.kind === "any" && (seg === undefined || seg === "")) return undefined;
  }
  return t.variables.map((v) => {
    const end = deep && v.end === tokens.length ? segs.length : v.end;
    return segs.slice(v.start, end).join("/");
  });
}

/** Sort key: literal segments before "*", "*" before "**", a verb before none; more specific first. */
export function compareSpecificity(a: PathTemplate, b: PathTemplate): number {
  const rank = (t: Token) => (t.kind === "literal" ? 0 : t.kind === "any" ? 1 : 2);
  const n = Math.max(a.tokens.length, b.tokens.length);
  for (let i = 0; i < n; i++) {
    const ta = a.tokens[i];
    const tb = b.tokens[i];
    // A template that ends here is more specific than one going on, unless the other goes on with "**".
    if (ta === undefined) return tb?.kind === "deep" ? -1 : 1;
    if (tb === undefined) return ta.kind === "deep" ? 1 : -1;
    const d = rank(ta) - rank(tb);
    if (d !== 0) return d;
  }
  return (a.verb === undefined ? 1 : 0) - (b.verb === undefined ? 1 : 0);
}
