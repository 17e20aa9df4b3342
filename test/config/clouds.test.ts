// Config keys of the cloud types and the upstream network: what each type
// requires, what it refuses, and that credentials and proxy URLs are never
// echoed. Then `hoosh config check` on such files (it builds the providers, so
// it also finds credentials and TLS files that do not load).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import { ConfigError, parseConfig } from "../../server/config/index.js";
import { runHoosh, cleanEnv } from "../harness/cli.js";

vi.setConfig({ testTimeout: 30_000 });

function errorOf(toml: string): string {
  try {
    parseConfig(toml, { source: "hoosh.toml", env: {} });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}

const entry = (type: string, fields: string) => `[[providers]]\nname = "c"\ntype = "${type}"\nmodels = ["*"]\n${fields}\n`;

describe("cloud provider keys", () => {
  it("bedrock and vertex derive base_url from region / location", () => {
    const config = parseConfig(`${entry("bedrock", 'region = "eu-central-1"')}\n${entry("vertex", 'project = "my-proj"\nlocation = "global"').replace('"c"', '"v"')}`, { source: "t", env: {} });
    expect(config.providers.map((p) => [p.type, p.base_url, p.region ?? p.location])).toEqual([
      ["bedrock", undefined, "eu-central-1"],
      ["vertex", undefined, "global"],
    ]);
  });

  it("presets bedrock and vertex set the type", () => {
    const config = parseConfig(`[[providers]]\nname = "b"\npreset = "bedrock"\nregion = "us-east-1"\nmodels = ["*"]\n`, { source: "t", env: {} });
    expect(config.providers[0]?.type).toBe("bedrock");
  });

  it.each([
    ["bedrock without region", entry("bedrock", ""), 'providers[0].region: missing required key (type "bedrock" needs the AWS region, e.g. "us-east-1")'],
    ["a region that is not one", entry("bedrock", 'region = "Frankfurt"'), 'providers[0].region: "Frankfurt" is not an AWS region name'],
    ["vertex without project", entry("vertex", 'location = "us-central1"'), 'providers[0].project: missing required key (type "vertex" needs the Google Cloud project id)'],
    ["vertex without location", entry("vertex", 'project = "p"'), "providers[0].location: missing required key"],
    ["azure without base_url", entry("azure", 'api_key = "k-123456"'), "providers[0].base_url: missing required key"],
    ["azure without any credential", entry("azure", 'base_url = "https://r.openai.azure.com"'), 'providers[0].api_key: missing required key (type "azure" needs api_key, or credentials with tenant_id, client_id and client_secret (Microsoft Entra))'],
    ["azure with half the Entra credentials", entry("azure", 'base_url = "https://r.openai.azure.com"\ncredentials = { tenant_id = "t", client_id = "c" }'), "providers[0].credentials.client_secret: missing required key"],
    ["a region on another type", entry("openai", 'base_url = "https://x"\nregion = "us-east-1"'), 'providers[0].region: is only allowed with type "bedrock" (this provider has type "openai")'],
    ["deployments outside azure", entry("vertex", 'project = "p"\nlocation = "l"\ndeployments = { a = "b" }'), 'providers[0].deployments: is only allowed with type "azure"'],
    ["a credential of another cloud", entry("bedrock", 'region = "us-east-1"\ncredentials = { service_account_file = "/x.json" }'), 'providers[0].credentials.service_account_file: is not a credential of type "bedrock"; allowed: access_key_id, secret_access_key, session_token, profile, shared_credentials_file'],
    ["an AWS key without its secret", entry("bedrock", 'region = "us-east-1"\ncredentials = { access_key_id = "AKIA123456" }'), "providers[0].credentials.secret_access_key: missing required key (AWS keys come in pairs"],
    ["a client certificate without its key", entry("openai", 'base_url = "https://x"\ntls = { cert_file = "/c.pem" }'), "providers[0].tls.key_file: missing: a client certificate needs both cert_file and key_file"],
    ["a pin that is not one", entry("openai", 'base_url = "https://x"\ntls = { pinned_sha256 = ["abc"] }'), 'providers[0].tls.pinned_sha256[0]: "abc" is not a pin'],
    ["an unknown tls key", entry("openai", 'base_url = "https://x"\ntls = { ca = "/c.pem" }'), "providers[0].tls.ca: unknown key"],
  ])("%s", (_kind, toml, expected) => {
    expect(errorOf(toml)).toContain(expected);
  });

  it("credentials and proxy URLs are secrets: never echoed in errors", () => {
    const message = errorOf(entry("bedrock", 'region = "us-east-1"\ncredentials = { access_key_id = "AKIASECRETID1", secret_access_key = 42 }\nproxy = "ftp://user:hunter2-pass@proxy"'));
    expect(message).toContain("providers[0].credentials.secret_access_key");
    expect(message).toContain("providers[0].proxy");
    expect(message).not.toContain("AKIASECRETID1");
    expect(message).not.toContain("hunter2-pass");
  });
});

describe("hoosh config check with cloud providers", () => {
  const dir = mkdtempSync(join(tmpdir(), "hoosh-clouds-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const key = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
  const sa = file("sa.json", JSON.stringify({ type: "service_account", client_email: "x@p.iam.gserviceaccount.com", private_key: key, token_uri: "https://oauth2.googleapis.com/token" }));

  it("accepts all three types (credentials from config, files and the environment)", async () => {
    const config = file(
      "ok.toml",
      `${entry("azure", 'base_url = "https://r.openai.azure.com"\napi_key = "${AZURE_KEY}"\ndeployments = { "gpt-4o" = "prod" }')}` +
        `${entry("bedrock", 'region = "us-west-2"').replace('"c"', '"b"')}` +
        `${entry("vertex", `project = "p"\nlocation = "us-central1"\ncredentials = { service_account_file = "${sa}" }`).replace('"c"', '"v"')}`,
    );
    const r = await runHoosh(["config", "check", config], { env: cleanEnv({ AZURE_KEY: "azure-key-value-1", AWS_ACCESS_KEY_ID: "AKIAENV", AWS_SECRET_ACCESS_KEY: "env-secret" }) });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("ok (3 of 3 providers enabled");
  });

  // One spawn per test: each `hoosh config check` compiles the sources through tsx, seconds apiece
  // on a 2-core machine busy with the rest of the suite.
  it("finds missing AWS credentials, which only building the providers shows", async () => {
    const noCreds = file("nocreds.toml", entry("bedrock", `region = "us-west-2"\ncredentials = { shared_credentials_file = "${join(dir, "absent")}" }`));
    const r1 = await runHoosh(["config", "check", noCreds], { env: cleanEnv({ HOME: dir }) });
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain("providers[0].credentials: no AWS credentials found");
  });

  it("finds a service-account key that does not load, without echoing it", async () => {
    const badKey = file("badkey.toml", entry("vertex", `project = "p"\nlocation = "us-central1"\ncredentials = { service_account_json = '{"type":"service_account","client_email":"x","private_key":"-----BEGIN PRIVATE KEY-----\\\\nc2VjcmV0LWJ5dGVz\\\\n-----END PRIVATE KEY-----"}' }`));
    const r2 = await runHoosh(["config", "check", badKey], { env: cleanEnv() });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("providers[0].credentials.service_account_json: private_key of the service-account key is not a PEM private key");
    expect(r2.stderr).not.toContain("c2VjcmV0LWJ5dGVz");
  });

  it("finds a TLS CA file that cannot be read", async () => {
    const badCa = file("badca.toml", entry("openai", `base_url = "https://x"\ntls = { ca_file = "${join(dir, "none.pem")}" }`));
    const r3 = await runHoosh(["config", "check", badCa], { env: cleanEnv() });
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain("providers[0].tls.ca_file: cannot read");
  });
});
