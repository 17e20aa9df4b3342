// SigV4 signing of every Bedrock request (@smithy/signature-v4, the AWS SDK's
// own signer): the signature covers method, path, query, the headers sent and
// the body's SHA-256, so the Authorizer runs on the request exactly as sent.
import type { SignatureV4 } from "@smithy/signature-v4";
import type { Authorizer } from "../http-upstream.js";
import type { AwsCredentials } from "./credentials.js";

/** Bedrock's runtime and control plane both sign as service "bedrock". */
export const SIGNING_SERVICE = "bedrock";

export function sigv4Authorizer(region: string, credentials: AwsCredentials): Authorizer {
  // Loaded on first use: a hoosh without bedrock providers never pays for the signer.
  let signing: Promise<SignatureV4> | undefined;
  const load = async () => {
    const [{ SignatureV4: Signer }, { Sha256 }] = await Promise.all([import("@smithy/signature-v4"), import("@aws-crypto/sha256-js")]);
    return new Signer({
      service: SIGNING_SERVICE,
      region,
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
      sha256: Sha256,
    });
  };
  return async (req) => {
    const signer = await (signing ??= load());
    const query: Record<string, string> = {};
    for (const [k, v] of req.url.searchParams) query[k] = v;
    const signed = await signer.sign({
      method: req.method,
      protocol: req.url.protocol,
      hostname: req.url.hostname,
      port: req.url.port ? Number(req.url.port) : undefined,
      path: req.url.pathname,
      query,
      headers: { ...req.headers, host: req.url.host },
      body: req.body,
    });
    // Only what signing added (authorization, x-amz-date, x-amz-security-token, host).
    const added: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) if (req.headers[k] === undefined) added[k] = String(v);
    return added;
  };
}
