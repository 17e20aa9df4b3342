// Certificates for the upstream TLS tests, made per run with the openssl CLI
// (scripts/install-system-deps.sh installs it): a private CA and a server
// certificate it signs (names: localhost, 127.0.0.1, upstream.test, nopx.test), a client CA and
// a client certificate it signs, and a second, untrusted CA with a client
// certificate of its own (the "wrong" one).
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPki {
  dir: string;
  /** Paths of PEM files. */
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCa: string;
  clientCert: string;
  clientKey: string;
  wrongClientCert: string;
  wrongClientKey: string;
  /** SHA-256 fingerprint (hex) of the server certificate. */
  serverFingerprint: string;
  /** "sha256/<base64>" of the server certificate's public key. */
  serverKeyPin: string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", `/CN=hoosh test ${name}`]);
}

function issue(dir: string, ca: string, name: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`]);
  openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", "-extfile", `${name}.ext`]);
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "hoosh-pki-"));
  makeCa(dir, "ca");
  makeCa(dir, "clientca");
  makeCa(dir, "otherca");
  issue(dir, "ca", "server", "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:upstream.test,DNS:nopx.test\nextendedKeyUsage=serverAuth\n");
  issue(dir, "clientca", "client", "extendedKeyUsage=clientAuth\n");
  issue(dir, "otherca", "wrongclient", "extendedKeyUsage=clientAuth\n");
  const cert = new X509Certificate(readFileSync(join(dir, "server.pem")));
  const spki = cert.publicKey.export({ type: "spki", format: "der" });
  const p = (f: string) => join(dir, f);
  return {
    dir,
    ca: p("ca.pem"),
    serverCert: p("server.pem"),
    serverKey: p("server.key"),
    clientCa: p("clientca.pem"),
    clientCert: p("client.pem"),
    clientKey: p("client.key"),
    wrongClientCert: p("wrongclient.pem"),
    wrongClientKey: p("wrongclient.key"),
    serverFingerprint: cert.fingerprint256,
    serverKeyPin: `sha256/${createHash("sha256").update(spki).digest("base64")}`,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
