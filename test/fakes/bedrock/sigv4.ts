// SigV4 verification as AWS does it, written from the specification with
// node:crypto only (independent of the signer hoosh uses): rebuild the
// canonical request from the raw request received, derive the signing key
// from the secret, and compare signatures.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export interface AwsKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type Verdict = { ok: true } | { ok: false; status: number; type: string; message: string };

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
/** RFC 3986 unreserved characters stay; everything else is %XX (uppercase). */
const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const deny = (type: string, message: string, status = 403): Verdict => ({ ok: false, status, type, message });
const MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/** Non-S3 services sign the path with each segment encoded once more than it was sent. */
function canonicalPath(rawPath: string): string {
  return rawPath.split("/").map(uriEncode).join("/") || "/";
}

function canonicalQuery(search: string): string {
  const pairs = [...new URLSearchParams(search)].map(([k, v]) => [uriEncode(k), uriEncode(v)] as const);
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  // rawHeaders keep repeated headers apart; SigV4 joins them with commas.
  const values: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === name) values.push(req.rawHeaders[i + 1]!.trim().replace(/\s+/g, " "));
  return values.length > 0 ? values.join(",") : undefined;
}

export function verifySigV4(req: IncomingMessage, body: Buffer, keys: AwsKey, region: string, service: string, now = Date.now()): Verdict {
  const auth = req.headers.authorization;
  if (!auth) return deny("MissingAuthenticationTokenException", "Missing Authentication Token");
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return deny("IncompleteSignatureException", `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${auth.slice(0, 40)}`, 400);
  const [, akid, day, scopeRegion, scopeService, signedHeaders, signature] = m;
  if (akid !== keys.accessKeyId) return deny("UnrecognizedClientException", "The security token included in the request is invalid.");
  if (scopeRegion !== region || scopeService !== service) {
    return deny("InvalidSignatureException", `Credential should be scoped to a valid region and service: expected ${region}/${service}, got ${scopeRegion}/${scopeService}.`);
  }
  const amzDate = headerValue(req, "x-amz-date");
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== day) return deny("IncompleteSignatureException", "X-Amz-Date is missing or does not match the credential scope date.", 400);
  const signedAt = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs(now - signedAt) > 5 * 60_000) return deny("InvalidSignatureException", `Signature expired: ${amzDate} is now earlier or later than 5 minutes from now.`);
  const names = signedHeaders!.split(";");
  if (!names.includes("host")) return deny("InvalidSignatureException", "'Host' must be a signed header.");
  if (keys.sessionToken !== undefined && headerValue(req, "x-amz-security-token") !== keys.sessionToken) return deny("UnrecognizedClientException", "The security token included in the request is invalid.");
  const headerLines: string[] = [];
  for (const name of names) {
    const value = headerValue(req, name);
    if (value === undefined) return deny("InvalidSignatureException", `Signed header ${name} is not in the request.`);
    headerLines.push(`${name}:${value}\n`);
  }
  const url = new URL(req.url ?? "/", "http://fake.invalid");
  const rawPath = (req.url ?? "/").split("?", 1)[0]!;
  // The body actually received, never a hash the client claims (x-amz-content-sha256 is signed as a header like any).
  const payloadHash = sha256(body);
  const canonical = [req.method ?? "GET", canonicalPath(rawPath), canonicalQuery(url.search), headerLines.join(""), signedHeaders, payloadHash].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${keys.secretAccessKey}`, day!), region), service), "aws4_request");
  const expected = createHmac("sha256", key).update(toSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature!, "hex"))) return deny("InvalidSignatureException", MISMATCH);
  return { ok: true };
}
