// The Helm chart (deploy/helm/hoosh) checked with the pinned helm from .tools/bin (no cluster):
// lint, render with default and production values, the rendered objects, the ConfigMap's
// hoosh.toml through `hoosh config check`, values the chart must refuse, and the committed
// plain manifests (deploy/kubernetes/hoosh.yaml) against a fresh render.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { cleanEnv, runHoosh } from "../harness/cli.js";
import { REPO_ROOT } from "../harness/hoosh.js";
import { startRedis, type RedisServer } from "../harness/redis.js";
import { run, toolPath, type RunResult } from "../harness/tools.js";

const CHART = join(REPO_ROOT, "deploy", "helm", "hoosh");
const PRODUCTION = join(CHART, "values-production.yaml");
const RENDERED = join(REPO_ROOT, "deploy", "kubernetes", "hoosh.yaml");
const KEY_HASH = "a".repeat(64);
// `hoosh config check` builds the app (a few seconds on a busy 2-core machine): room for it.
const CHECK_TIMEOUT_MS = 90_000;
const WITH_SECRETS = ["--set-string", `secrets.env.OPENAI_API_KEY=sk-test,secrets.env.HOOSH_APP_KEY_SHA256=${KEY_HASH}`];

// Helm's cache/config/data dirs and the files config check reads live here, not in $HOME.
let scratch: string;
// config check opens the Redis store: a local one stands in for the cluster's.
let redis: RedisServer;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "hoosh-helm-"));
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: any; // rendered objects are checked field by field below
}

function helm(args: string[]): Promise<RunResult> {
  const home = join(scratch, "helm");
  const env = cleanEnv({ HOME: home, HELM_CACHE_HOME: join(home, "cache"), HELM_CONFIG_HOME: join(home, "config"), HELM_DATA_HOME: join(home, "data") });
  return run(toolPath("helm"), args, { env, timeoutMs: 60_000 });
}

async function render(args: string[] = []): Promise<K8sObject[]> {
  const res = await helm(["template", "hoosh", CHART, "--namespace", "default", ...args]);
  expect(res.code, res.stderr).toBe(0);
  return parseAllDocuments(res.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

const kinds = (objects: K8sObject[]) => objects.map((o) => o.kind).sort();
function one(objects: K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
}
const container = (objects: K8sObject[]) => one(objects, "Deployment").spec.template.spec.containers[0];
const hooshToml = (objects: K8sObject[]) => one(objects, "ConfigMap").data["hoosh.toml"] as string;

/**
 * The environment the container would get: its env entries (secretKeyRef values faked, $(VAR)
 * expanded as the kubelet does), then the chart's Secret decoded, then `fromUserSecret` for a
 * Secret the chart does not create.
 */
function podEnv(objects: K8sObject[], fromUserSecret: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container(objects).env as Array<{ name: string; value?: string; valueFrom?: unknown }>) {
    env[e.name] = e.value !== undefined ? e.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n: string) => env[n] ?? m) : "secret-value";
  }
  const secret = objects.find((o) => o.kind === "Secret");
  for (const [name, b64] of Object.entries((secret?.data ?? {}) as Record<string, string>)) env[name] = Buffer.from(b64, "base64").toString();
  return { ...env, ...fromUserSecret };
}

async function configCheck(objects: K8sObject[], env: Record<string, string>): Promise<RunResult> {
  const dir = mkdtempSync(join(scratch, "config-"));
  const file = join(dir, "hoosh.toml");
  writeFileSync(file, hooshToml(objects));
  // The data dir is the pod's emptyDir, and the Redis host a cluster name: here a scratch folder
  // and the local Redis (the rendered URL's form is checked on its own).
  const local: Record<string, string> = { ...env, HOOSH_DATA_DIR: dir };
  if (env.HOOSH_REDIS_URL !== undefined) local.HOOSH_REDIS_URL = redis.url;
  return runHoosh(["config", "check", file], { env: cleanEnv(local), timeoutMs: CHECK_TIMEOUT_MS });
}

describe("helm lint", () => {
  it.each([
    ["default values", []],
    ["production values", ["-f", PRODUCTION]],
  ])("passes with %s (strict)", async (_name, args) => {
    const res = await helm(["lint", "--strict", CHART, ...args]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain("1 chart(s) linted, 0 chart(s) failed");
    // lint reports a template's `fail` only as a log line, not as a failure.
    expect(res.stdout + res.stderr).not.toContain("funcMap fail");
  });
});

describe("helm template, default values", () => {
  let objects: K8sObject[];
  beforeAll(async () => {
    objects = await render(WITH_SECRETS);
  });

  it("renders the Deployment, Service, ConfigMap, Secret and PodDisruptionBudget; no HPA or ServiceMonitor", () => {
    expect(kinds(objects)).toEqual(["ConfigMap", "Deployment", "PodDisruptionBudget", "Secret", "Service"]);
  });

  it("runs `node dist/hoosh.js serve` on the mounted config with the replica count from values and a pool of 8 libuv threads", async () => {
    const deployment = one(objects, "Deployment");
    expect(deployment.spec.replicas).toBe(2);
    expect(container(objects).command).toEqual(["node", "dist/hoosh.js", "serve", "--config", "/etc/hoosh/hoosh.toml"]);
    // Set in the pod since the command is not the launcher that would set it (bin/hoosh.cjs).
    expect(container(objects).env).toContainEqual({ name: "UV_THREADPOOL_SIZE", value: "8" });
    const mount = container(objects).volumeMounts.find((m: { mountPath: string }) => m.mountPath === "/etc/hoosh");
    const volume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume.configMap.name).toBe(one(objects, "ConfigMap").metadata.name);
    expect(one(await render([...WITH_SECRETS, "--set", "replicaCount=5"]), "Deployment").spec.replicas).toBe(5);
  });

  it("probes grpc.health on the port hoosh listens on, and the Service exposes it as h2c", () => {
    const c = container(objects);
    const toml = parseToml(hooshToml(objects)) as { server: { port: number; bind: string } };
    expect(toml.server).toMatchObject({ port: 8088, bind: "0.0.0.0" });
    expect(c.ports).toEqual([{ name: "http", containerPort: 8088, protocol: "TCP" }]);
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      expect(c[probe].grpc, probe).toEqual({ port: toml.server.port, service: "" });
    }
    const service = one(objects, "Service");
    expect(service.spec.ports).toEqual([{ name: "http", port: 8088, targetPort: "http", protocol: "TCP", appProtocol: "kubernetes.io/h2c" }]);
    expect(service.spec.selector).toEqual(one(objects, "Deployment").spec.selector.matchLabels);
  });

  it("sets resource requests and limits", () => {
    expect(container(objects).resources).toEqual({ requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: "1500m", memory: "512Mi" } });
  });

  it("runs non-root on a read-only root filesystem with the data dir on an emptyDir", () => {
    const pod = one(objects, "Deployment").spec.template.spec;
    const c = container(objects);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    const dataDir = c.env.find((e: { name: string }) => e.name === "HOOSH_DATA_DIR").value;
    const mount = c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === dataDir);
    expect(pod.volumes.find((v: { name: string }) => v.name === mount.name).emptyDir).toBeDefined();
  });

  it("gives the drain more time than the preStop sleep plus shutdown_grace_ms", () => {
    const pod = one(objects, "Deployment").spec.template.spec;
    const grace = (parseToml(hooshToml(objects)) as { server: { shutdown_grace_ms: number } }).server.shutdown_grace_ms;
    const preStop = container(objects).lifecycle.preStop.sleep.seconds as number;
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(grace + preStop * 1000);
  });

  it("wires the chart's Secret into the environment and Redis into HOOSH_REDIS_URL", () => {
    const secret = one(objects, "Secret");
    expect(container(objects).envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }]);
    expect(podEnv(objects)).toMatchObject({ OPENAI_API_KEY: "sk-test", HOOSH_APP_KEY_SHA256: KEY_HASH, HOOSH_REDIS_URL: "redis://redis:6379/0" });
    expect(one(objects, "PodDisruptionBudget").spec).toEqual({ maxUnavailable: 1, selector: one(objects, "Deployment").spec.selector });
  });

  it("renders a hoosh.toml that `hoosh config check` accepts with the pod's environment", async () => {
    const res = await configCheck(objects, podEnv(objects));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("ok (1 of 1 providers enabled, 1 budgets, listens on 0.0.0.0:8088)");
  }, CHECK_TIMEOUT_MS);

  it("config check names the variable when the Secret lacks it", async () => {
    const { OPENAI_API_KEY: _dropped, ...env } = podEnv(objects);
    const res = await configCheck(objects, env);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("OPENAI_API_KEY");
  }, CHECK_TIMEOUT_MS);
});

describe("helm template, production values", () => {
  let objects: K8sObject[];
  beforeAll(async () => {
    objects = await render(["-f", PRODUCTION]);
  });

  it("adds the HPA and the ServiceMonitor and uses the existing Secret instead of creating one", () => {
    expect(kinds(objects)).toEqual(["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service", "ServiceMonitor"]);
    expect(container(objects).envFrom).toEqual([{ secretRef: { name: "hoosh-keys" } }]);
  });

  it("scales the Deployment on CPU from 3 pods and keeps 2 through disruptions", () => {
    const deployment = one(objects, "Deployment");
    expect(deployment.spec.replicas).toBeUndefined(); // the HPA owns it
    const hpa = one(objects, "HorizontalPodAutoscaler");
    expect(hpa.apiVersion).toBe("autoscaling/v2");
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
      minReplicas: 3,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    });
    expect(one(objects, "PodDisruptionBudget").spec.minAvailable).toBe(2);
  });

  it("scrapes /metrics on the Service's port", () => {
    const monitor = one(objects, "ServiceMonitor");
    const service = one(objects, "Service");
    expect(monitor.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(monitor.spec.endpoints).toMatchObject([{ port: service.spec.ports[0].name, path: "/metrics" }]);
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels as Record<string, string>)) expect(service.metadata.labels![k]).toBe(v);
  });

  it("reads the Redis password from its Secret into the URL", () => {
    const env = container(objects).env as Array<{ name: string; value?: string; valueFrom?: unknown }>;
    const names = env.map((e) => e.name);
    expect(names.indexOf("HOOSH_REDIS_PASSWORD")).toBeLessThan(names.indexOf("HOOSH_REDIS_URL")); // $(VAR) needs it first
    expect(env.find((e) => e.name === "HOOSH_REDIS_PASSWORD")!.valueFrom).toEqual({ secretKeyRef: { name: "redis", key: "redis-password" } });
    expect(podEnv(objects).HOOSH_REDIS_URL).toBe("redis://:secret-value@redis-master:6379/0");
  });

  it("renders a hoosh.toml that `hoosh config check` accepts", async () => {
    const userSecret = { OPENAI_API_KEY: "sk-test", ANTHROPIC_API_KEY: "sk-ant-test", HOOSH_APP_KEY_SHA256: KEY_HASH };
    const res = await configCheck(objects, podEnv(objects, userSecret));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("ok (2 of 2 providers enabled, 1 budgets, listens on 0.0.0.0:8088)");
  }, CHECK_TIMEOUT_MS);
});

describe("values the chart refuses", () => {
  // --set cannot carry newlines: the config text comes from a file.
  const MEMORY_STORE = join(tmpdir(), `hoosh-helm-memory-${process.pid}.toml`);
  beforeAll(() => writeFileSync(MEMORY_STORE, '[server]\nbind = "0.0.0.0"\n\n[store]\nkind = "memory"\n'));
  afterAll(() => rmSync(MEMORY_STORE, { force: true }));

  it.each([
    ["a negative replicaCount", ["--set", "replicaCount=-1"], "replicaCount"],
    ["no Redis with more than one replica", ["--set", "redis.host=", "--set", "redis.url="], "redis.url or redis.host is required when replicaCount > 1"],
    ["no Redis with autoscaling", ["--set", "replicaCount=1,autoscaling.enabled=true,redis.host="], "redis.url or redis.host is required"],
    ["a memory store with replicas", ["--set-file", `config=${MEMORY_STORE}`], 'config must set [store] kind = "redis"'],
    ["a grace period shorter than the drain", ["--set", "terminationGracePeriodSeconds=20"], "terminationGracePeriodSeconds (20 s) must exceed"],
    ["a PDB with both bounds", ["--set", "podDisruptionBudget.minAvailable=1"], "set exactly one of minAvailable and maxUnavailable"],
    ["a Redis URL of another scheme", ["--set", "redis.url=http://redis:6379"], "/redis/url"],
  ])("refuses %s", async (_name, args, message) => {
    const res = await helm(["template", "hoosh", CHART, ...args]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(message);
  });
});

describe("deploy/kubernetes/hoosh.yaml", () => {
  it("equals a fresh render of the chart with default values (run deploy/render.sh after chart changes)", async () => {
    toolPath("helm"); // fails with the install hint when helm is missing
    const out = join(scratch, "hoosh.yaml");
    const res = await run(join(REPO_ROOT, "deploy", "render.sh"), [out], { env: cleanEnv({ HOME: join(scratch, "helm") }) });
    expect(res.code, res.stderr).toBe(0);
    expect(readFileSync(RENDERED, "utf8")).toBe(readFileSync(out, "utf8"));
  });
});
