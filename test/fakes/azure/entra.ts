// The fake Microsoft Entra token endpoint: POST /{tenant}/oauth2/v2.0/token
// with the client-credentials grant. It checks tenant, client id, secret and
// scope as Entra does, and issues opaque tokens that the fake Azure accepts
// until they expire.
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { sendJson } from "../openai/http.js";

export interface EntraConfig {
  tenant: string;
  clientId: string;
  clientSecret: string;
  /** Lifetime of issued tokens. */
  ttlSeconds: number;
}

export const SCOPE = "https://cognitiveservices.azure.com/.default";

function entraError(res: ServerResponse, status: number, error: string, description: string): void {
  sendJson(res, status, { error, error_description: `${description}\r\nTrace ID: fake\r\nCorrelation ID: fake\r\nTimestamp: ${new Date().toISOString()}`, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)] });
}

export class EntraIssuer {
  private readonly tokens = new Map<string, number>();
  issued = 0;

  constructor(private readonly config: EntraConfig) {}

  /** Whether `Authorization: Bearer <token>` carries a token this issuer gave and that has not expired. */
  valid(authorization: string | undefined): boolean {
    const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
    const expires = token ? this.tokens.get(token) : undefined;
    return expires !== undefined && Date.now() < expires;
  }

  handle(res: ServerResponse, tenant: string, contentType: string, raw: string): void {
    if (tenant !== this.config.tenant) return entraError(res, 400, "invalid_request", `AADSTS90002: Tenant '${tenant}' not found.`);
    if (!contentType.startsWith("application/x-www-form-urlencoded")) return entraError(res, 400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'grant_type'.");
    const form = new URLSearchParams(raw);
    if (form.get("grant_type") !== "client_credentials") return entraError(res, 400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.");
    if (form.get("client_id") !== this.config.clientId) return entraError(res, 400, "unauthorized_client", `AADSTS700016: Application with identifier '${form.get("client_id")}' was not found in the directory.`);
    if (form.get("client_secret") !== this.config.clientSecret) return entraError(res, 401, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.");
    if (form.get("scope") !== SCOPE) return entraError(res, 400, "invalid_scope", `AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope ${form.get("scope")} is not valid.`);
    const token = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString("base64url")}`;
    this.tokens.set(token, Date.now() + this.config.ttlSeconds * 1000);
    this.issued++;
    sendJson(res, 200, { token_type: "Bearer", expires_in: this.config.ttlSeconds, ext_expires_in: this.config.ttlSeconds, access_token: token });
  }
}
