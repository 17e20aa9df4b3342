// The pieces of the upstream network on their own: which proxy a URL takes
// (HTTPS_PROXY / NO_PROXY rules), loading a provider's tls table (errors name
// the key), naming TLS failures, and the token cache the cloud credentials share.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../server/config/index.js";
import { bypassed, proxyFor } from "../../server/providers/proxy.js";
import { TokenCache } from "../../server/providers/token-cache.js";
import { describeTlsFailure, loadTls, tlsConnectOptions } from "../../server/providers/upstream-tls.js";
import { makeTestPki, type TestPki } from "./tls-certs.js";

describe("proxyFor", () => {
  const env = { HTTPS_PROXY: "http://proxy:3128", http_proxy: "http://plain-proxy:3128", NO_PROXY: "internal.corp, .svc.local,10.0.0.5, api.example:8443" };
  const via = (url: string, setting?: string) => proxyFor(new URL(url), setting, env);

  it("takes HTTPS_PROXY for https and HTTP_PROXY for http (either case)", () => {
    expect(via("https://api.openai.com/v1")).toBe("http://proxy:3128");
    expect(via("http://models.example/v1")).toBe("http://plain-proxy:3128");
  });

  it("NO_PROXY: the host and its subdomains, leading dots, IPs, and host:port entries", () => {
    expect(via("https://internal.corp/v1")).toBeUndefined();
    expect(via("https://llm.internal.corp/v1")).toBeUndefined();
    expect(via("https://x.svc.local/v1")).toBeUndefined();
    expect(via("http://10.0.0.5:8000/v1")).toBeUndefined();
    expect(via("https://api.example:8443/v1")).toBeUndefined();
    expect(via("https://api.example/v1")).toBe("http://proxy:3128");
    expect(via("https://notinternal.corp/v1")).toBe("http://proxy:3128");
    expect(bypassed(new URL("https://anything.example"), "*")).toBe(true);
  });

  it("loopback upstreams never take the environment's proxy", () => {
    for (const url of ["http://127.0.0.1:11434", "http://localhost:8080/v1", "http://[::1]:8000/v1"]) expect(via(url)).toBeUndefined();
  });

  it("a provider's own proxy wins, even for loopback; \"none\" means direct", () => {
    expect(via("http://127.0.0.1:8000", "http://own:1")).toBe("http://own:1");
    expect(via("https://internal.corp/v1", "http://own:1")).toBe("http://own:1");
    expect(via("https://api.openai.com/v1", "none")).toBeUndefined();
  });

  it("no proxy variables: direct", () => {
    expect(proxyFor(new URL("https://api.openai.com"), undefined, {})).toBeUndefined();
  });
});

describe("loadTls", () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(() => pki.remove());
  const fails = (tls: Parameters<typeof loadTls>[0]) => {
    try {
      loadTls(tls, "providers[2].tls", "hoosh.toml");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).message;
    }
    throw new Error("expected a ConfigError");
  };

  it("loads the files; extra CAs are added to Node's roots, not put in their place", () => {
    const tls = loadTls({ ca_file: pki.ca, cert_file: pki.clientCert, key_file: pki.clientKey, pinned_sha256: [pki.serverFingerprint, pki.serverKeyPin] }, "p", "s")!;
    expect(tls.pins.certs.size + tls.pins.keys.size).toBe(2);
    const full = tlsConnectOptions(tls, true);
    expect((full.ca as string[]).length).toBeGreaterThan(100);
    expect(full.cert).toContain("BEGIN CERTIFICATE");
    expect(typeof full.checkServerIdentity).toBe("function");
    // Another origin of the same provider (a token endpoint) gets the CAs only.
    expect(tlsConnectOptions(tls, false)).toEqual({ ca: full.ca });
    expect(loadTls(undefined, "p", "s")).toBeUndefined();
  });

  it("a missing file, a file without certificates, and a key that is not the certificate's: errors naming the key", () => {
    expect(fails({ ca_file: join(pki.dir, "nope.pem") })).toMatch(/^hoosh\.toml: providers\[2\]\.tls\.ca_file: cannot read ".*nope\.pem": ENOENT/);
    const junk = join(pki.dir, "junk.pem");
    writeFileSync(junk, "not a certificate");
    expect(fails({ ca_file: junk })).toContain("providers[2].tls.ca_file: \"" + junk + "\" holds no PEM certificate");
    const message = fails({ cert_file: pki.clientCert, key_file: pki.wrongClientKey });
    expect(message).toContain("providers[2].tls.cert_file: client certificate and key do not load together");
    expect(message).not.toContain("PRIVATE KEY");
  });
});

describe("describeTlsFailure", () => {
  const error = (code: string, message = "x") => Object.assign(new Error(message), { code });
  it("names the check that failed", () => {
    expect(describeTlsFailure(error("SELF_SIGNED_CERT_IN_CHAIN"))).toContain("the upstream's certificate is not trusted");
    expect(describeTlsFailure(error("CERT_HAS_EXPIRED"))).toContain("outside its validity period");
    expect(describeTlsFailure(error("ERR_TLS_CERT_ALTNAME_INVALID"))).toContain("does not name this host");
    expect(describeTlsFailure(error("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED"))).toContain("the upstream rejected the client certificate");
    expect(describeTlsFailure(error("ERR_SSL_TLSV1_ALERT_UNKNOWN_CA"))).toContain("the upstream rejected the client certificate");
  });
  it("looks through causes, and says nothing of errors that are not TLS", () => {
    expect(describeTlsFailure(Object.assign(new Error("fetch failed"), { cause: error("UNABLE_TO_VERIFY_LEAF_SIGNATURE") }))).toContain("not trusted");
    expect(describeTlsFailure(error("ECONNREFUSED"))).toBeUndefined();
    expect(describeTlsFailure("text")).toBeUndefined();
  });
});

describe("TokenCache", () => {
  it("fetches once for concurrent callers, reuses the token, and refreshes before expiry", async () => {
    let now = 0;
    let fetched = 0;
    const cache = new TokenCache(async () => ({ value: `t${++fetched}`, expiresInMs: 3_600_000 }), () => now);
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual(["t1", "t1", "t1"]);
    now = 3_600_000 - 5 * 60_000 - 1;
    expect(await cache.get()).toBe("t1");
    now += 2;
    expect(await cache.get()).toBe("t2");
    expect(fetched).toBe(2);
  });

  it("inside the refresh margin a failed refresh keeps the still-valid token; after expiry it fails", async () => {
    let now = 0;
    let fail = false;
    const cache = new TokenCache(async () => {
      if (fail) throw new Error("token endpoint down");
      return { value: "good", expiresInMs: 600_000 };
    }, () => now);
    expect(await cache.get()).toBe("good");
    fail = true;
    now = 400_000;
    expect(await cache.get()).toBe("good");
    now = 600_001;
    await expect(cache.get()).rejects.toThrow("token endpoint down");
  });
});
