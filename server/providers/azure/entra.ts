// Microsoft Entra ID client-credentials flow for Azure OpenAI: a bearer token
// for https://cognitiveservices.azure.com/.default, cached and fetched again
// before it expires. The client secret is only ever in the token request body.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Dispatcher } from "undici";
import type { Authorizer } from "../http-upstream.js";
import { transportError } from "../http-errors.js";
import { TokenCache, type FetchedToken } from "../token-cache.js";
import type { Transport, TransportLimits, UpstreamNetwork } from "../transport.js";
import type { EntraTokenResponse } from "./wire.js";

export const DEFAULT_AUTHORITY = "https://login.microsoftonline.com";
const SCOPE = "https://cognitiveservices.azure.com/.default";

export interface EntraCredentials {
  tenant_id: string;
  client_id: string;
  client_secret: string;
  authority_host?: string;
}

export class EntraCredential {
  private readonly url: URL;
  private readonly cache: TokenCache;

  constructor(
    private readonly provider: string,
    private readonly creds: EntraCredentials,
    private readonly transport: Transport,
    private readonly limits: TransportLimits,
    private readonly network: UpstreamNetwork | undefined,
  ) {
    const authority = (creds.authority_host ?? DEFAULT_AUTHORITY).replace(/\/+$/, "");
    this.url = new URL(`${authority}/${encodeURIComponent(creds.tenant_id)}/oauth2/v2.0/token`);
    this.cache = new TokenCache(() => this.fetch());
  }

  readonly authorize: Authorizer = async () => ({ authorization: `Bearer ${await this.cache.get()}` });

  private async fetch(): Promise<FetchedToken> {
    const body = new URLSearchParams({ grant_type: "client_credentials", client_id: this.creds.client_id, client_secret: this.creds.client_secret, scope: SCOPE }).toString();
    // Not the caller's signal: one caller leaving must not fail the token every caller waits for.
    const signal = AbortSignal.timeout(this.limits.connectMs + this.limits.firstByteMs);
    let res: Dispatcher.ResponseData;
    let json: EntraTokenResponse;
    try {
      res = await this.transport.request(
        { url: this.url, method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" }, body, signal },
        this.limits,
        this.network,
      );
      json = (await res.body.json().catch(() => ({}))) as EntraTokenResponse;
    } catch (err) {
      throw transportError(this.provider, err, signal);
    }
    if (res.statusCode >= 400 || typeof json.access_token !== "string") {
      const why = [json.error, json.error_description?.split("\n", 1)[0]].filter(Boolean).join(": ") || `HTTP ${res.statusCode}`;
      const code = res.statusCode >= 500 ? Code.Unavailable : Code.Unauthenticated;
      throw new ConnectError(`provider "${this.provider}": Microsoft Entra token request failed (HTTP ${res.statusCode}): ${why}`, code);
    }
    const seconds = Number(json.expires_in ?? 3600);
    return { value: json.access_token, expiresInMs: (Number.isFinite(seconds) && seconds > 0 ? seconds : 3600) * 1000 };
  }
}
