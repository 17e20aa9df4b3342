// Upstream TLS of one provider (the [providers.tls] table): extra trusted CAs
// added to Node's roots, a client certificate for mTLS, and certificate
// pinning. Files are read once at startup; a bad file is a config error naming
// its key. Failures at connect time are named by the check that failed.
import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { checkServerIdentity, createSecureContext, rootCertificates, type ConnectionOptions, type PeerCertificate } from "node:tls";
import { ConfigError } from "../config/index.js";

/** [providers.tls] as configured. */
export interface TlsConfig {
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
  pinned_sha256?: string[];
}

/** Loaded TLS material; `id` tells pools with different material apart. */
export interface UpstreamTls {
  id: string;
  ca?: string;
  cert?: string;
  key?: string;
  /** Lowercase hex SHA-256 fingerprints of certificates (DER), and base64 SHA-256 of public keys (SPKI). */
  pins: { certs: Set<string>; keys: Set<string> };
}

/** Marks the error of a pin check, so the transport can name it. */
export const PIN_MISMATCH = "ERR_HOOSH_TLS_PIN_MISMATCH";
/** Marks a connection that presented a client certificate and was closed unanswered right after the handshake. */
export const CLOSED_AFTER_HANDSHAKE = "ERR_HOOSH_TLS_CLOSED_AFTER_HANDSHAKE";

/** Reads the files of a provider's tls table; ConfigError names the key of the file that fails. */
export function loadTls(tls: TlsConfig | undefined, where: string, source: string): UpstreamTls | undefined {
  if (!tls) return undefined;
  const read = (key: "ca_file" | "cert_file" | "key_file"): string | undefined => {
    const path = tls[key];
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, "utf8");
    } catch (err) {
      throw new ConfigError(source, [{ path: `${where}.${key}`, message: `cannot read ${JSON.stringify(path)}: ${(err as Error).message.split("\n", 1)[0]}` }]);
    }
  };
  const ca = read("ca_file");
  const cert = read("cert_file");
  const key = read("key_file");
  if (ca !== undefined) {
    try {
      // Every certificate in the bundle must parse.
      for (const pem of ca.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? ["(none)"]) new X509Certificate(pem);
    } catch {
      throw new ConfigError(source, [{ path: `${where}.ca_file`, message: `${JSON.stringify(tls.ca_file)} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----" blocks)` }]);
    }
  }
  if (cert !== undefined || key !== undefined) {
    try {
      createSecureContext({ cert, key });
    } catch (err) {
      // OpenSSL's reason only (e.g. "key values mismatch"); never the key itself.
      throw new ConfigError(source, [{ path: `${where}.cert_file`, message: `client certificate and key do not load together: ${(err as Error).message.split("\n", 1)[0]}` }]);
    }
  }
  const pins = { certs: new Set<string>(), keys: new Set<string>() };
  for (const pin of tls.pinned_sha256 ?? []) {
    if (pin.startsWith("sha256/")) pins.keys.add(pin.slice("sha256/".length));
    else pins.certs.add(pin.replace(/:/g, "").toLowerCase());
  }
  const id = createHash("sha256").update(JSON.stringify([ca, cert, key, [...pins.certs], [...pins.keys]])).digest("hex").slice(0, 16);
  return { id, ca, cert, key, pins };
}

/**
 * Options for tls.connect. `full` applies everything (the provider's own API
 * origin); otherwise only the extra CAs (e.g. a token endpoint of the same
 * provider: its certificate is not the pinned one and it asks no client cert).
 */
export function tlsConnectOptions(tls: UpstreamTls | undefined, full: boolean): ConnectionOptions {
  if (!tls) return {};
  const options: ConnectionOptions = {};
  // `ca` replaces Node's roots; extra CAs are added to them.
  if (tls.ca !== undefined) options.ca = [...rootCertificates, tls.ca];
  if (!full) return options;
  if (tls.cert !== undefined) options.cert = tls.cert;
  if (tls.key !== undefined) options.key = tls.key;
  if (tls.pins.certs.size + tls.pins.keys.size > 0) {
    options.checkServerIdentity = (host: string, cert: PeerCertificate) => checkServerIdentity(host, cert) ?? checkPins(tls, cert);
  }
  return options;
}

function checkPins(tls: UpstreamTls, cert: PeerCertificate): Error | undefined {
  const fingerprint = createHash("sha256").update(cert.raw).digest("hex");
  // PeerCertificate.pubkey is the raw EC point for EC keys, not the SPKI that public-key pins hash.
  const spki = new X509Certificate(cert.raw).publicKey.export({ type: "spki", format: "der" });
  const keyPin = createHash("sha256").update(spki).digest("base64");
  if (tls.pins.certs.has(fingerprint) || tls.pins.keys.has(keyPin)) return undefined;
  const err = new Error(`certificate pinning failed: the upstream's certificate (SHA-256 ${fingerprint}, public key sha256/${keyPin}) matches no entry of tls.pinned_sha256`);
  (err as NodeJS.ErrnoException).code = PIN_MISMATCH;
  return err;
}

/** OpenSSL/Node codes of a certificate the client does not trust. */
const UNTRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_REJECTED",
]);
const EXPIRED = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"]);

/**
 * What a TLS failure means, naming the check that failed; undefined when the
 * error is not about TLS. Looks through `cause` chains (undici wraps some).
 */
export function describeTlsFailure(err: unknown): string | undefined {
  for (let e = err as (Error & { code?: string; cause?: unknown }) | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    const code = typeof e.code === "string" ? e.code : "";
    const reason = e.message ?? "";
    if (code === PIN_MISMATCH) return `TLS check failed: ${reason}`;
    if (code === CLOSED_AFTER_HANDSHAKE) {
      return `TLS check failed: the upstream rejected the client certificate (${reason}, as servers that refuse a TLS 1.3 client certificate do); check tls.cert_file and tls.key_file`;
    }
    if (UNTRUSTED.has(code)) return `TLS check failed: the upstream's certificate is not trusted (${code}: ${reason}); add its CA with tls.ca_file`;
    if (EXPIRED.has(code)) return `TLS check failed: the upstream's certificate is outside its validity period (${code}: ${reason})`;
    if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return `TLS check failed: the upstream's certificate does not name this host (${reason})`;
    // The server refused our client certificate (or that we sent none): an alert during or right after the handshake.
    if (/ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE|ACCESS_DENIED|DECRYPT_ERROR)/.test(code) || /alert (unknown ca|bad certificate|certificate required)/i.test(reason)) {
      return `TLS check failed: the upstream rejected the client certificate (${code || "alert"}: ${reason}); check tls.cert_file and tls.key_file`;
    }
    if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) return `TLS handshake failed (${code}: ${reason})`;
  }
  return undefined;
}
