// HTTP(S) proxies through a real hoosh: the environment's HTTPS_PROXY and
// NO_PROXY, and a provider's own `proxy` (with credentials), through a local
// CONNECT proxy (test/fakes/connect-proxy.ts). Upstream names ending in
// ".test" resolve only inside that proxy, so an answer proves the tunnel.
import { Code } from "@connectrpc/connect";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../gen/ts/hoosh/v1/chat_pb.js";
import { startFakeOpenAI, startProcess, type FakeOpenAI, type StartedProcess } from "../fakes/spawn.js";
import type { Hoosh } from "../harness/hoosh.js";
import { rejection } from "./contract.js";
import { openaiProvider as provider, startE2E, type E2E } from "./e2e-harness.js";
import { makeTestPki, type TestPki } from "./tls-certs.js";

const PROXY = fileURLToPath(new URL("../fakes/connect-proxy.ts", import.meta.url));
const TLS_FAKE = fileURLToPath(new URL("../fakes/tls-upstream.ts", import.meta.url));

interface TunnelEvent {
  target: string;
  authorized: boolean;
  status: number;
}

let pki: TestPki;
let envProxy: StartedProcess;
let authProxy: StartedProcess;
let tlsFake: StartedProcess;
let plainFake: FakeOpenAI;
let hoosh: Hoosh;
let client: E2E["client"];


beforeAll(async () => {
  pki = makeTestPki();
  [envProxy, authProxy, tlsFake, plainFake] = await Promise.all([
    startProcess(PROXY, ["--exit-with-parent", "--port", "0"]),
    startProcess(PROXY, ["--exit-with-parent", "--port", "0", "--auth", "hoosh:s3cret-proxy-pass"]),
    startProcess(TLS_FAKE, ["--exit-with-parent", "--port", "0", "--cert", pki.serverCert, "--key", pki.serverKey]),
    startFakeOpenAI(),
  ]);
  const config = `
${provider("viaenv", `https://upstream.test:${tlsFake.port}/v1`, `tls = { ca_file = "${pki.ca}" }`)}
${provider("bypassed", `https://nopx.test:${tlsFake.port}/v1`, `tls = { ca_file = "${pki.ca}" }`)}
${provider("loopback", `${plainFake.baseUrl}`)}
${provider("own", `http://api.test:${plainFake.port}/v1`, `proxy = "http://hoosh:s3cret-proxy-pass@127.0.0.1:${authProxy.port}"`)}
${provider("badauth", `http://api.test:${plainFake.port}/v1`, `proxy = "http://hoosh:wrong-pass@127.0.0.1:${authProxy.port}"`)}
${provider("direct", `http://api.test:${plainFake.port}/v1`, `proxy = "none"`)}
`;
  ({ hoosh, client } = await startE2E(config, { ...process.env, HTTPS_PROXY: `http://127.0.0.1:${envProxy.port}`, HTTP_PROXY: `http://127.0.0.1:${envProxy.port}`, NO_PROXY: "example.com,.nopx.test" }));
}, 60_000);

afterAll(async () => {
  await hoosh?.stop();
  await Promise.all([envProxy?.stop(), authProxy?.stop(), tlsFake?.stop(), plainFake?.stop()]);
  pki?.remove();
});

const ask = (model: string) => client.generate({ model, messages: [{ role: Role.USER, content: [{ part: { case: "text", value: "via proxy" } }] }] });
const tunnels = async (p: StartedProcess) => (await (await fetch(`${p.url}/_fake/events`)).json()) as TunnelEvent[];

describe("upstream proxies through a real hoosh", () => {
  it("HTTPS_PROXY from the environment carries an HTTPS upstream (TLS to the upstream inside the tunnel)", async () => {
    expect((await ask("viaenv/gpt-4o")).message?.content[0]?.part.value).toBe("echo: via proxy");
    expect(await tunnels(envProxy)).toContainEqual(expect.objectContaining({ target: `upstream.test:${tlsFake.port}`, status: 200 }));
  });

  it("NO_PROXY hosts and loopback upstreams connect directly", async () => {
    expect((await ask("loopback/gpt-4o")).message?.content[0]?.part.value).toBe("echo: via proxy");
    const err = await rejection(() => ask("bypassed/gpt-4o"));
    // Resolved by hoosh itself, which cannot: proof that it did not go through the proxy.
    expect(Code[err.code]).toBe(Code[Code.Unavailable]);
    expect(err.rawMessage).toContain("ENOTFOUND");
    const seen = (await tunnels(envProxy)).map((t) => t.target);
    expect(seen.some((t) => t.startsWith("nopx.test") || t.startsWith("127.0.0.1"))).toBe(false);
  });

  it("a provider's own proxy, with credentials, wins over the environment", async () => {
    expect((await ask("own/gpt-4o")).message?.content[0]?.part.value).toBe("echo: via proxy");
    expect(await tunnels(authProxy)).toContainEqual({ type: "connect", at: expect.any(Number), target: `api.test:${plainFake.port}`, authorized: true, status: 200 });
    expect((await tunnels(envProxy)).some((t) => t.target.startsWith("api.test"))).toBe(false);
  });

  it("a proxy that refuses the credentials: UNAVAILABLE naming the proxy's answer, the password never shown", async () => {
    const err = await rejection(() => ask("badauth/gpt-4o"));
    expect(Code[err.code]).toBe(Code[Code.Unavailable]);
    expect(err.rawMessage).toContain("407");
    expect(err.rawMessage).not.toContain("wrong-pass");
  });

  it('proxy = "none" ignores the environment', async () => {
    const err = await rejection(() => ask("direct/gpt-4o"));
    expect(err.rawMessage).toContain("ENOTFOUND");
  });
});
