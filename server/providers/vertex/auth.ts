// Service-account authentication for Vertex AI: google-auth-library's JWT
// client signs the assertion (RS256 with the key's private key) and exchanges
// it for an OAuth access token, cached and refreshed before it expires. Its
// HTTP goes through hoosh's transport (this provider's CAs and proxy), to the
// key's token_uri. The key never leaves this module: errors carry only the
// token endpoint's reason.
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { Code, ConnectError } from "@connectrpc/connect";
import type { JWT } from "google-auth-library";
import { fetch as undiciFetch } from "undici";
import { ConfigError } from "../../config/index.js";
import type { CredentialsConfig } from "../../config/upstream.js";
import type { Authorizer } from "../http-upstream.js";
import { describeTlsFailure } from "../upstream-tls.js";
import type { Transport, TransportLimits, UpstreamNetwork } from "../transport.js";
import type { ServiceAccountKey } from "./wire.js";

/** Where google-auth-library sends the exchange; a key with another token_uri is sent there instead. */
const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

export interface ServiceAccount {
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string;
  tokenUri: string;
}

/** The key from credentials.service_account_json / _file, or GOOGLE_APPLICATION_CREDENTIALS; checked at startup. */
export function loadServiceAccount(creds: CredentialsConfig | undefined, env: Record<string, string | undefined>, where: string, source: string): ServiceAccount {
  const file = creds?.service_account_file ?? (creds?.service_account_json === undefined ? env.GOOGLE_APPLICATION_CREDENTIALS : undefined);
  const path = creds?.service_account_json !== undefined ? `${where}.credentials.service_account_json` : creds?.service_account_file !== undefined ? `${where}.credentials.service_account_file` : `${where}.credentials`;
  const fail = (message: string) => new ConfigError(source, [{ path, message }]);
  let text = creds?.service_account_json;
  if (text === undefined) {
    if (!file) throw fail("no service-account key: set credentials.service_account_file or service_account_json, or GOOGLE_APPLICATION_CREDENTIALS");
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw fail(`cannot read ${JSON.stringify(file)}: ${(err as Error).message.split("\n", 1)[0]}`);
    }
  }
  let key: ServiceAccountKey;
  try {
    key = JSON.parse(text) as ServiceAccountKey;
  } catch {
    throw fail("is not a service-account key (not JSON)");
  }
  if (key?.type !== "service_account" || typeof key.client_email !== "string" || typeof key.private_key !== "string") {
    throw fail('is not a service-account key (needs "type": "service_account", client_email and private_key)');
  }
  try {
    createPrivateKey(key.private_key);
  } catch {
    throw fail("private_key of the service-account key is not a PEM private key");
  }
  const tokenUri = key.token_uri ?? GOOGLE_TOKEN_URL;
  if (!/^https?:\/\//.test(tokenUri)) throw fail(`token_uri of the service-account key must be an http(s) URL`);
  return { clientEmail: key.client_email, privateKey: key.private_key, privateKeyId: key.private_key_id, tokenUri };
}

export class ServiceAccountToken {
  private client?: Promise<JWT>;

  constructor(
    private readonly provider: string,
    private readonly account: ServiceAccount,
    private readonly transport: Transport,
    private readonly limits: TransportLimits,
    private readonly network: UpstreamNetwork | undefined,
  ) {}

  /** google-auth-library is loaded on first use: a hoosh without vertex providers never pays for it. */
  private async createClient(): Promise<JWT> {
    const { JWT: Client } = await import("google-auth-library");
    const { account, transport, limits, network } = this;
    const custom = account.tokenUri !== GOOGLE_TOKEN_URL;
    const fetchImplementation = (input: unknown, init?: object) => {
      const requested = new URL(input instanceof URL ? input.href : typeof input === "string" ? input : (input as Request).url);
      const url = custom && requested.href === GOOGLE_TOKEN_URL ? new URL(account.tokenUri) : requested;
      return undiciFetch(url, { ...(init as object), dispatcher: transport.dispatcher(url, limits, network) }) as unknown as Promise<Response>;
    };
    return new Client({
      email: account.clientEmail,
      key: account.privateKey,
      keyId: account.privateKeyId,
      scopes: [CLOUD_PLATFORM],
      // The assertion's audience is the endpoint that takes it.
      ...(custom ? { additionalClaims: { aud: account.tokenUri } } : {}),
      transporterOptions: { fetchImplementation, timeout: limits.connectMs + limits.firstByteMs },
    });
  }

  /** A valid access token (cached by the client until five minutes before it expires). */
  async get(): Promise<string> {
    try {
      const { token } = await (await (this.client ??= this.createClient())).getAccessToken();
      if (!token) throw new Error("the token endpoint answered without an access token");
      return token;
    } catch (err) {
      throw this.failure(err);
    }
  }

  readonly authorize: Authorizer = async () => ({ authorization: `Bearer ${await this.get()}` });

  private failure(err: unknown): ConnectError {
    const status = (err as { response?: { status?: number } }).response?.status ?? (err as { status?: number }).status;
    const reason = (err instanceof Error ? err.message : String(err)).split("\n", 1)[0];
    const tls = describeTlsFailure((err as { cause?: unknown }).cause ?? err);
    if (tls) return new ConnectError(`provider "${this.provider}": the OAuth token endpoint is unreachable: ${tls}`, Code.Unavailable);
    const code = status !== undefined && status >= 400 && status < 500 ? Code.Unauthenticated : Code.Unavailable;
    return new ConnectError(`provider "${this.provider}": service-account token request failed${status ? ` (HTTP ${status})` : ""}: ${reason}`, code);
  }
}
