// The fake Google OAuth 2.0 token endpoint for service accounts
// (grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer). It verifies the
// assertion as Google does, with node:crypto only: an RS256 JWT signed by the
// service account's private key (checked against its public key), issued by
// the account's email, for this token endpoint, with a scope, and fresh. It
// then issues an opaque access token that the API accepts until it expires.
import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import type { ServerResponse } from "node:http";
import { sendJson } from "../openai/http.js";

export interface ServiceAccountCheck {
  clientEmail: string;
  publicKey: KeyObject;
  /** The audience the assertion must name: this endpoint's URL. */
  tokenUrl: string;
  ttlSeconds: number;
}

const GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

export function loadPublicKey(pem: string): KeyObject {
  return createPublicKey(pem);
}

const oauthError = (res: ServerResponse, error: string, description: string, status = 400) => sendJson(res, status, { error, error_description: description });

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export class TokenIssuer {
  private readonly tokens = new Map<string, number>();
  issued = 0;

  constructor(private readonly check: ServiceAccountCheck) {}

  /** The bearer check of an API call. */
  bearer(authorization: string | undefined): "ok" | "missing" | "unknown" | "expired" {
    const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
    if (!token) return "missing";
    const expires = this.tokens.get(token);
    if (expires === undefined) return "unknown";
    return Date.now() < expires ? "ok" : "expired";
  }

  handle(res: ServerResponse, contentType: string, raw: string): void {
    if (!contentType.startsWith("application/x-www-form-urlencoded")) return oauthError(res, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
    const form = new URLSearchParams(raw);
    if (form.get("grant_type") !== GRANT) return oauthError(res, "unsupported_grant_type", `Invalid grant_type: ${form.get("grant_type") ?? ""}`);
    const parts = (form.get("assertion") ?? "").split(".");
    const [header, claims] = [decodePart(parts[0] ?? ""), decodePart(parts[1] ?? "")];
    if (parts.length !== 3 || !header || !claims) return oauthError(res, "invalid_grant", "Invalid JWT: malformed assertion");
    if (header.alg !== "RS256") return oauthError(res, "invalid_grant", `Invalid JWT: alg ${String(header.alg)} is not RS256`);
    const signed = verify("RSA-SHA256", Buffer.from(`${parts[0]}.${parts[1]}`), this.check.publicKey, Buffer.from(parts[2]!, "base64url"));
    if (!signed) return oauthError(res, "invalid_grant", "Invalid JWT Signature.");
    if (claims.iss !== this.check.clientEmail) return oauthError(res, "invalid_grant", `Invalid JWT: iss ${String(claims.iss)} is not a known service account`);
    if (claims.aud !== this.check.tokenUrl) return oauthError(res, "invalid_grant", `Invalid JWT: aud must be ${this.check.tokenUrl}, got ${String(claims.aud)}`);
    const scopes = String(claims.scope ?? "").split(" ");
    if (!scopes.includes(CLOUD_PLATFORM)) return oauthError(res, "invalid_scope", `Invalid JWT: scope must include ${CLOUD_PLATFORM}`);
    const now = Math.floor(Date.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!(iat <= now + 300 && exp > now && exp - iat <= 3600)) return oauthError(res, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
    const token = `ya29.fake-${randomBytes(24).toString("base64url")}`;
    this.tokens.set(token, Date.now() + this.check.ttlSeconds * 1000);
    this.issued++;
    sendJson(res, 200, { access_token: token, expires_in: this.check.ttlSeconds, token_type: "Bearer" });
  }
}
