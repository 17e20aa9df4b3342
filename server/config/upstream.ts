/**
 * [[providers]] keys of the cloud types and of the upstream network (issue #21): `tls`, `proxy`,
 * `credentials` (one table; which keys a type takes is checked below), `region`, `project`,
 * `location`, `deployments`. Kept beside schema.ts so the provider table there stays readable.
 *
 *   region               string   (none)       type "bedrock" (required): AWS region, e.g. "us-east-1"
 *   project / location   string   (none)       type "vertex" (required): Google Cloud project id and region ("global" allowed)
 *   deployments          table    {}           type "azure": model id = "deployment name"; unlisted models use their own id
 *   credentials          table    (none)       SECRET (every value); per type:
 *     azure:   tenant_id, client_id, client_secret (Entra client credentials), authority_host (default login.microsoftonline.com)
 *     bedrock: access_key_id, secret_access_key, session_token, profile, shared_credentials_file
 *     vertex:  service_account_file (path) or service_account_json (the key itself)
 *   tls                  table    (none)       ca_file (PEM, added to the trusted roots), cert_file + key_file (client
 *                                              certificate for mTLS), pinned_sha256 (array: certificate fingerprints
 *                                              in hex, or "sha256/<base64>" public-key pins; any match passes)
 *   proxy                string   (env)        http(s):// proxy URL, or "none"; unset: HTTPS_PROXY / HTTP_PROXY / NO_PROXY
 */
import { z } from "zod";

const HEX_PIN = /^([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/;
const KEY_PIN = /^sha256\/[A-Za-z0-9+/]{43}=$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

const pin = z.string().superRefine((s, ctx) => {
  if (HEX_PIN.test(s) || KEY_PIN.test(s)) return;
  ctx.addIssue({
    code: "custom",
    message: `${JSON.stringify(s.slice(0, 80))} is not a pin; allowed: the certificate's SHA-256 fingerprint in hex (64 digits, colons optional, as \`openssl x509 -noout -fingerprint -sha256\` prints it) or "sha256/<base64 SHA-256 of the public key>"`,
  });
});

export const tlsTable = z
  .strictObject({
    ca_file: z.string().min(1).optional(),
    cert_file: z.string().min(1).optional(),
    key_file: z.string().min(1).optional(),
    pinned_sha256: z.array(pin).min(1).optional(),
  })
  .superRefine((t, ctx) => {
    if ((t.cert_file === undefined) !== (t.key_file === undefined)) {
      ctx.addIssue({ code: "custom", path: [t.cert_file === undefined ? "cert_file" : "key_file"], message: "missing: a client certificate needs both cert_file and key_file" });
    }
  });

export const proxySetting = z.string().superRefine((s, ctx) => {
  if (s === "none") return;
  let url: URL | undefined;
  try {
    url = new URL(s);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    ctx.addIssue({ code: "custom", message: 'is not a proxy URL; allowed: "http://host:port", "https://host:port" (user:password@ allowed) or "none"' });
  }
});

export const credentialsTable = z.strictObject({
  tenant_id: z.string().min(1).optional(),
  client_id: z.string().min(1).optional(),
  client_secret: z.string().min(1).optional(),
  authority_host: z.string().url().optional(),
  access_key_id: z.string().min(1).optional(),
  secret_access_key: z.string().min(1).optional(),
  session_token: z.string().min(1).optional(),
  profile: z.string().min(1).optional(),
  shared_credentials_file: z.string().min(1).optional(),
  service_account_file: z.string().min(1).optional(),
  service_account_json: z.string().min(1).optional(),
});

export type CredentialsConfig = z.output<typeof credentialsTable>;

/** Which credentials keys each type takes. */
const CREDENTIAL_KEYS: Record<string, readonly (keyof CredentialsConfig)[]> = {
  azure: ["tenant_id", "client_id", "client_secret", "authority_host"],
  bedrock: ["access_key_id", "secret_access_key", "session_token", "profile", "shared_credentials_file"],
  vertex: ["service_account_file", "service_account_json"],
};

/** Types whose base_url is derived (region / location) when not set. */
export const DERIVED_BASE_URL: readonly string[] = ["bedrock", "vertex"];

interface CloudFields {
  type: string;
  api_key?: string;
  region?: string;
  project?: string;
  location?: string;
  deployments?: Record<string, string>;
  credentials?: CredentialsConfig;
}

/** Cross-field checks of the cloud keys: required per type, and not allowed on other types. */
export function checkCloudKeys(p: CloudFields, ctx: z.core.$RefinementCtx<unknown>): void {
  const only = (key: keyof CloudFields, types: string[]) => {
    if (p[key] !== undefined && !types.includes(p.type)) {
      ctx.addIssue({ code: "custom", path: [key], message: `is only allowed with type ${types.map((t) => `"${t}"`).join(" or ")} (this provider has type "${p.type}")` });
    }
  };
  only("region", ["bedrock"]);
  only("project", ["vertex"]);
  only("location", ["vertex"]);
  only("deployments", ["azure"]);
  only("credentials", Object.keys(CREDENTIAL_KEYS));
  const missing = (key: string, why: string) => ctx.addIssue({ code: "custom", path: key.split("."), message: `missing required key (${why})` });
  if (p.type === "bedrock" && p.region === undefined) missing("region", 'type "bedrock" needs the AWS region, e.g. "us-east-1"');
  if (p.type === "bedrock" && p.region !== undefined && !AWS_REGION.test(p.region)) {
    ctx.addIssue({ code: "custom", path: ["region"], message: `${JSON.stringify(p.region)} is not an AWS region name (e.g. "us-east-1", "eu-central-1")` });
  }
  if (p.type === "vertex" && p.project === undefined) missing("project", 'type "vertex" needs the Google Cloud project id');
  if (p.type === "vertex" && p.location === undefined) missing("location", 'type "vertex" needs the region, e.g. "us-central1", or "global"');
  for (const bad of [p.project, p.location]) {
    if (bad !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(bad)) {
      ctx.addIssue({ code: "custom", path: [bad === p.project ? "project" : "location"], message: `${JSON.stringify(bad)} is not a Google Cloud id (lowercase letters, digits, "-")` });
    }
  }
  const creds = p.credentials;
  const allowed = CREDENTIAL_KEYS[p.type];
  if (creds && allowed) {
    for (const key of Object.keys(creds) as (keyof CredentialsConfig)[]) {
      if (creds[key] !== undefined && !allowed.includes(key)) {
        ctx.addIssue({ code: "custom", path: ["credentials", key], message: `is not a credential of type "${p.type}"; allowed: ${allowed.join(", ")}` });
      }
    }
  }
  if (p.type === "azure") {
    const entra = ["tenant_id", "client_id", "client_secret"] as const;
    const set = entra.filter((k) => creds?.[k] !== undefined);
    if (set.length > 0 && set.length < 3) missing(`credentials.${entra.find((k) => creds?.[k] === undefined)}`, "Entra client credentials need tenant_id, client_id and client_secret");
    if (set.length === 0 && p.api_key === undefined) missing("api_key", 'type "azure" needs api_key, or credentials with tenant_id, client_id and client_secret (Microsoft Entra)');
    if (set.length === 3 && p.api_key !== undefined) ctx.addIssue({ code: "custom", path: ["api_key"], message: "set either api_key or Entra credentials, not both" });
  }
  if (p.type === "vertex" && creds?.service_account_file !== undefined && creds.service_account_json !== undefined) {
    ctx.addIssue({ code: "custom", path: ["credentials", "service_account_json"], message: "set either service_account_file or service_account_json, not both" });
  }
  if (p.type === "bedrock" && (creds?.access_key_id === undefined) !== (creds?.secret_access_key === undefined)) {
    missing(creds?.access_key_id === undefined ? "credentials.access_key_id" : "credentials.secret_access_key", "AWS keys come in pairs: access_key_id and secret_access_key");
  }
}
