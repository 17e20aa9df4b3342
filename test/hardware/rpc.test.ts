import { afterAll, describe, expect, it } from "vitest";

import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";

import { HardwareService, PlacementKind, Quantization } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { HardwareDetector } from "../../server/hardware/detect.js";
import { createHardwareService, type ModelFileAccess } from "../../server/rpc/hardware.js";
import { PROFILES, reportStoriesAbsence, storiesPath, tempDir } from "./fixtures.js";
import { tinyGguf } from "./gguf-writer.js";
import { onnxModel, safetensors } from "./model-bytes.js";

reportStoriesAbsence("HardwareService");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Most tests here read files anywhere under tmp: as a caller with the admin scope would. */
function clientFor(detector: HardwareDetector, access: ModelFileAccess = { models: { dir: tmp.dir, configured: [] }, isAdmin: () => true }) {
  const transport = createRouterTransport(({ service }) => {
    service(HardwareService, createHardwareService(detector, access));
  });
  return createClient(HardwareService, transport);
}

const client = clientFor(new HardwareDetector({ profile: PROFILES["8 GB GPU, 16 GB RAM"] }));

async function rpcError(call: Promise<unknown>): Promise<ConnectError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectError);
  return err as ConnectError;
}

describe("HardwareService.GetHardware", () => {
  it("returns the hardware, with and without refresh", async () => {
    const { hardware } = await client.getHardware({});
    expect(hardware!.detectionComplete).toBe(true);
    expect(hardware!.accelerators[0]!.name).toBe("RTX 4060 8GB");
    expect((await client.getHardware({ refresh: true })).hardware).toEqual(hardware);
  });

  it("on this machine: incomplete first, complete later", { timeout: 30_000 }, async () => {
    const d = new HardwareDetector();
    d.start();
    const c = clientFor(d);
    const first = await c.getHardware({});
    expect(first.hardware!.detectionComplete).toBe(false);
    await d.whenDetected();
    const later = await c.getHardware({ refresh: true });
    expect(later.hardware!.detectionComplete).toBe(true);
    d.close();
  });
});

describe("HardwareService.RecommendPlacement: good input", () => {
  it("recommends the best quantization for a parameter count", async () => {
    const r = await client.recommendPlacement({ parameterCount: 7_000_000_000n });
    expect(PlacementKind[r.kind]).toBe("FULL_GPU");
    expect(Quantization[r.quantization]).toBe("Q6_K");
    expect(r.gpuLayers).toBe(32);
    expect(r.acceleratorIndexes).toEqual([0]);
    expect(r.reason).toContain("7.0B parameters need 6.4 GiB at Q6_K");
  });

  it("places an asked quantization, context and batch", async () => {
    const r = await client.recommendPlacement({ parameterCount: 13_000_000_000n, quantization: Quantization.Q4_K_M, contextLength: 2048, batchSize: 2 });
    expect(PlacementKind[r.kind]).toBe("GPU_CPU_SPLIT");
    expect(r.reason).toContain("for 2048 tokens × 2 sequences");
  });

  it("reads the self-written GGUF's metadata for model_path", async () => {
    const p = tmp.file("tiny.gguf", tinyGguf());
    const r = await client.recommendPlacement({ modelPath: p });
    expect(PlacementKind[r.kind]).toBe("FULL_GPU");
    expect(Quantization[r.quantization]).toBe("F16");
    expect(r.totalLayers).toBe(2);
    expect(r.estimate!.weightsBytes).toBe(6400n);
    // 2 layers × 4096 tokens × 1 kv head × (8 + 8) × 2 bytes
    expect(r.estimate!.kvCacheBytes).toBe(BigInt(2 * 4096 * 16 * 2));
    expect(r.reason).toContain("3.1K parameters");
    expect(r.reason).not.toContain("shape assumed");
  });

  it("reads stories260K for model_path", async () => {
    const r = await client.recommendPlacement({ modelPath: storiesPath, contextLength: 2048 });
    expect(PlacementKind[r.kind]).toBe("FULL_GPU");
    expect(Quantization[r.quantization]).toBe("F32");
    expect(r.totalLayers).toBe(5);
    expect(r.estimate!.weightsBytes).toBe(1_171_200n);
    expect(r.reason).toContain("292.8K parameters");
  });

  it("uses a safetensors header's parameter count", async () => {
    const p = tmp.file("m.safetensors", safetensors({ w: { dtype: "F16", shape: [1000, 1000] } }));
    const r = await client.recommendPlacement({ modelPath: p });
    expect(Quantization[r.quantization]).toBe("F16");
    expect(r.estimate!.weightsBytes).toBe(2_000_000n);
    expect(r.reason).toContain("1.0M parameters");
  });

  it("accepts an ONNX path when parameter_count is given too", async () => {
    const p = tmp.file("m.onnx", onnxModel());
    const r = await client.recommendPlacement({ modelPath: p, parameterCount: 1_000_000_000n });
    expect(PlacementKind[r.kind]).toBe("FULL_GPU");
  });

  it("waits for detection before placing on a fresh detector", { timeout: 30_000 }, async () => {
    const d = new HardwareDetector();
    const r = await clientFor(d).recommendPlacement({ parameterCount: 1_000_000n });
    expect(d.snapshot().detectionComplete).toBe(true);
    expect(r.kind).not.toBe(PlacementKind.UNSPECIFIED);
    d.close();
  });
});

describe("HardwareService.RecommendPlacement: bad input", () => {
  const cases: Array<[string, Parameters<typeof client.recommendPlacement>[0], Code, RegExp]> = [
    ["neither parameter_count nor model_path", {}, Code.InvalidArgument, /parameter_count or model_path is required: give parameter_count \(1\.\.10000000000000\) or model_path/],
    ["absurd parameter_count", { parameterCount: 20_000_000_000_000n }, Code.InvalidArgument, /parameter_count 20000000000000 is out of range: allowed 1\.\.10000000000000 \(10T\)/],
    ["batch_size over 1024", { parameterCount: 7_000_000_000n, batchSize: 2000 }, Code.InvalidArgument, /batch_size 2000 is too large: allowed 1\.\.1024 \(0 means 1\)/],
    ["context_length absurd", { parameterCount: 7_000_000_000n, contextLength: 100_000_000 }, Code.InvalidArgument, /context_length 100000000 is too large: allowed 1\.\.16777216/],
    ["unknown quantization", { parameterCount: 7_000_000_000n, quantization: 99 as Quantization }, Code.InvalidArgument, /quantization 99 is not a known value: allowed F32, F16, BF16, Q8_0, Q6_K, Q5_K_M, Q4_K_M, Q4_0, Q3_K_M, Q2_K, or unset/],
  ];
  it.each(cases)("%s → %s", async (_name, req, code, message) => {
    const err = await rpcError(client.recommendPlacement(req));
    expect(Code[err.code]).toBe(Code[code]);
    expect(err.rawMessage).toMatch(message);
  });

  it("missing model_path file → NotFound with the path", async () => {
    const path = `${tmp.dir}/no-such-model.gguf`;
    const err = await rpcError(client.recommendPlacement({ modelPath: path }));
    expect(Code[err.code]).toBe("NotFound");
    expect(err.rawMessage).toBe(`model_path "${path}": no such file on the server`);
  });

  it("garbage file → InvalidArgument naming model_path and the problem", async () => {
    const p = tmp.file("garbage.bin", Buffer.from("this is not a model at all, just text"));
    const err = await rpcError(client.recommendPlacement({ modelPath: p }));
    expect(Code[err.code]).toBe("InvalidArgument");
    expect(err.rawMessage).toMatch(new RegExp(`^model_path ".*garbage.bin": unrecognised model format: the file's header matches none of`));
    // Never the file's contents: "this" is 74 68 69 73.
    expect(err.rawMessage).not.toMatch(/74 68 69 73|this is/);
  });

  it("truncated GGUF → InvalidArgument with the offset", async () => {
    const p = tmp.file("cut.gguf", tinyGguf().subarray(0, 400));
    const err = await rpcError(client.recommendPlacement({ modelPath: p }));
    expect(Code[err.code]).toBe("InvalidArgument");
    expect(err.rawMessage).toMatch(/^model_path ".*cut.gguf": corrupt GGUF: .*(truncated|impossible)/);
  });

  it("empty file and directory → InvalidArgument", async () => {
    const empty = await rpcError(client.recommendPlacement({ modelPath: tmp.file("empty.gguf", "") }));
    expect(empty.rawMessage).toMatch(/model_path ".*empty.gguf": too short to identify: 0 bytes/);
    const dir = await rpcError(client.recommendPlacement({ modelPath: tmp.dir }));
    expect(Code[dir.code]).toBe("InvalidArgument");
    expect(dir.rawMessage).toMatch(/is a directory, not a model file/);
  });

  it("ONNX without parameter_count → InvalidArgument asking for it", async () => {
    const p = tmp.file("m2.onnx", onnxModel());
    const err = await rpcError(client.recommendPlacement({ modelPath: p }));
    expect(err.rawMessage).toMatch(/an ONNX file does not record its parameter count; give parameter_count as well/);
  });
});

describe("HardwareService.RecommendPlacement: which files a caller without the admin scope may name", () => {
  const models = tempDir();
  const elsewhere = tempDir();
  afterAll(() => {
    models.cleanup();
    elsewhere.cleanup();
  });
  const configured = elsewhere.file("configured.gguf", tinyGguf());
  const detector = new HardwareDetector({ profile: PROFILES["8 GB GPU, 16 GB RAM"] });
  const user = clientFor(detector, { models: { dir: models.dir, configured: [configured] }, isAdmin: () => false });

  it("a file name in the models directory and a configured local model's path are read", async () => {
    models.file("pulled.gguf", tinyGguf());
    expect((await user.recommendPlacement({ modelPath: "pulled.gguf" })).gpuLayers).toBeGreaterThan(0);
    expect((await user.recommendPlacement({ modelPath: configured })).gpuLayers).toBeGreaterThan(0);
  });

  it("any other path is PermissionDenied with one answer whether it exists or not, and never its contents", async () => {
    const secret = elsewhere.file("secret.gguf", "root:*:20000:0:99999:7:::");
    const answers = [];
    for (const modelPath of ["/etc/passwd", secret, "/no/such/file.gguf", "../secret.gguf", `${models.dir}/../x.gguf`]) {
      const err = await rpcError(user.recommendPlacement({ modelPath }));
      expect(Code[err.code], modelPath).toBe("PermissionDenied");
      expect(err.rawMessage).not.toContain("root");
      answers.push(err.rawMessage);
    }
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toMatch(/^model_path: only model files hoosh manages are accepted/);
  });
});
