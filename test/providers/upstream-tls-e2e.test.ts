// Upstream TLS through a real hoosh: the fake OpenAI behind HTTPS with a
// private CA made for this run, once without and once with a client
// certificate requirement. Trusted, untrusted, pinned (match and mismatch),
// mTLS (right, wrong and missing client certificate); every failure is
// UNAVAILABLE naming the check that failed.
import { Code } from "@connectrpc/connect";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { startProcess, type StartedProcess } from "../fakes/spawn.js";
import type { Hoosh } from "../harness/hoosh.js";
import { rejection } from "./contract.js";
import { openaiProvider, startE2E, type E2E } from "./e2e-harness.js";
import { makeTestPki, type TestPki } from "./tls-certs.js";

const TLS_FAKE = fileURLToPath(new URL("../fakes/tls-upstream.ts", import.meta.url));
const WRONG_PIN = "sha256/" + Buffer.alloc(32, 7).toString("base64");


let pki: TestPki;
let plain: StartedProcess;
let mutual: StartedProcess;
let hoosh: Hoosh;
let client: E2E["client"];

beforeAll(async () => {
  pki = makeTestPki();
  const serve = (extra: string[]) => startProcess(TLS_FAKE, ["--exit-with-parent", "--port", "0", "--cert", pki.serverCert, "--key", pki.serverKey, ...extra]);
  [plain, mutual] = await Promise.all([serve([]), serve(["--client-ca", pki.clientCa])]);
  const https = (p: StartedProcess) => `https://localhost:${p.port}/v1`;
  const provider = (name: string, url: string, tls: string) => openaiProvider(name, url, tls ? `tls = { ${tls} }` : "");
  const ca = `ca_file = "${pki.ca}"`;
  ({ hoosh, client } = await startE2E(`
${provider("trusted", https(plain), ca)}
${provider("untrusted", https(plain), "")}
${provider("pinned", https(plain), `${ca}, pinned_sha256 = ["${pki.serverFingerprint}", "${WRONG_PIN}"]`)}
${provider("keypinned", https(plain), `${ca}, pinned_sha256 = ["${pki.serverKeyPin}"]`)}
${provider("mispinned", https(plain), `${ca}, pinned_sha256 = ["${WRONG_PIN}"]`)}
${provider("mtls", https(mutual), `${ca}, cert_file = "${pki.clientCert}", key_file = "${pki.clientKey}"`)}
${provider("wrongcert", https(mutual), `${ca}, cert_file = "${pki.wrongClientCert}", key_file = "${pki.wrongClientKey}"`)}
${provider("nocert", https(mutual), ca)}
`));
}, 60_000);

afterAll(async () => {
  await hoosh?.stop();
  await Promise.all([plain?.stop(), mutual?.stop()]);
  pki?.remove();
});

const ask = (model: string) => client.generate({ model, messages: [{ role: Role.USER, content: [{ part: { case: "text", value: "over tls" } }] }] });

describe("upstream TLS through a real hoosh", () => {
  it("a private CA in tls.ca_file is trusted", async () => {
    expect((await ask("trusted/gpt-4o")).message?.content[0]?.part.value).toBe("echo: over tls");
  });

  it("without it the certificate is not trusted: UNAVAILABLE naming the trust check", async () => {
    const err = await rejection(() => ask("untrusted/gpt-4o"));
    expect(Code[err.code]).toBe(Code[Code.Unavailable]);
    expect(err.rawMessage).toContain('provider "untrusted" is unreachable: TLS check failed: the upstream\'s certificate is not trusted');
    expect(err.rawMessage).toContain("tls.ca_file");
  });

  it("a matching pin (certificate fingerprint, or public key) passes", async () => {
    expect((await ask("pinned/gpt-4o")).message?.content[0]?.part.value).toBe("echo: over tls");
    expect((await ask("keypinned/gpt-4o")).message?.content[0]?.part.value).toBe("echo: over tls");
  });

  it("a pin that matches nothing: UNAVAILABLE naming certificate pinning", async () => {
    const err = await rejection(() => ask("mispinned/gpt-4o"));
    expect(Code[err.code]).toBe(Code[Code.Unavailable]);
    expect(err.rawMessage).toContain("TLS check failed: certificate pinning failed");
    expect(err.rawMessage).toContain(pki.serverFingerprint.replace(/:/g, "").toLowerCase());
  });

  it("mTLS: the client certificate the server's CA issued is accepted", async () => {
    expect((await ask("mtls/gpt-4o")).message?.content[0]?.part.value).toBe("echo: over tls");
  });

  it("mTLS: a certificate from another CA, or none, is rejected: UNAVAILABLE naming the client certificate", async () => {
    for (const model of ["wrongcert/gpt-4o", "nocert/gpt-4o"]) {
      const err = await rejection(() => ask(model));
      expect(Code[err.code], model).toBe(Code[Code.Unavailable]);
      expect(err.rawMessage, model).toContain("TLS check failed: the upstream rejected the client certificate");
    }
  });
});
