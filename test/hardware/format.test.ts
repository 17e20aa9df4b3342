import { readFile } from "node:fs/promises";

import { afterAll, describe, expect, it } from "vitest";

import { Quantization } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { ModelFileError } from "../../server/hardware/errors.js";
import { detectModelFormat } from "../../server/hardware/format.js";
import { inspectModelFile } from "../../server/hardware/model-file.js";
import { reportStoriesAbsence, storiesPath, tempDir } from "./fixtures.js";
import { tinyGguf } from "./gguf-writer.js";
import { onnxModel, safetensors, zipEntry } from "./model-bytes.js";

reportStoriesAbsence("format detection");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("model format detection from the first bytes", () => {
  it("recognises the real stories260K GGUF", async () => {
    const head = (await readFile(storiesPath)).subarray(0, 64 * 1024);
    expect(detectModelFormat(head, 1_185_376)).toEqual({ format: "gguf", details: { version: 3 } });
  });

  it("recognises the self-written GGUF", () => {
    expect(detectModelFormat(tinyGguf())).toEqual({ format: "gguf", details: { version: 3 } });
  });

  it("recognises safetensors by its length-prefixed JSON header", () => {
    const st = safetensors({ "model.embed.weight": { dtype: "F16", shape: [4, 8] } });
    const d = detectModelFormat(st);
    expect(d.format).toBe("safetensors");
    expect(d.details.headerBytes).toBe(st.readUInt32LE(0));
  });

  it("recognises an ONNX ModelProto, reading producer fields", () => {
    expect(detectModelFormat(onnxModel())).toEqual({
      format: "onnx",
      details: { irVersion: 8, producerName: "pytorch", producerVersion: "2.1.0" },
    });
    // Only the head of a big model: the graph runs past the bytes given but fits the file size.
    const big = onnxModel(100_000);
    expect(detectModelFormat(big.subarray(0, 4096), big.length).format).toBe("onnx");
    expect(() => detectModelFormat(big.subarray(0, 4096))).toThrow(/unrecognised model format/);
  });

  it("recognises a PyTorch zip checkpoint by its data.pkl entry", () => {
    const zip = Buffer.concat([zipEntry("archive/data.pkl", Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e])), zipEntry("archive/version", Buffer.from("3\n"))]);
    expect(detectModelFormat(zip)).toEqual({ format: "pytorch-zip", details: { archive: "archive", entry: "archive/data.pkl" } });
    const later = Buffer.concat([zipEntry("model/.format_version", Buffer.from("1")), zipEntry("model/data.pkl", Buffer.from([0x80, 0x02]))]);
    expect(detectModelFormat(later).details.entry).toBe("model/data.pkl");
  });

  it("rejects a zip that is not a PyTorch checkpoint", () => {
    const zip = zipEntry("hello.txt", Buffer.from("hi"));
    expect(() => detectModelFormat(zip)).toThrow(/zip archive without a data.pkl entry \(first entries: hello.txt\): not a PyTorch checkpoint/);
  });

  it("recognises pickles, noting PyTorch's legacy magic number", () => {
    const legacy = Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
    expect(detectModelFormat(legacy)).toEqual({ format: "pickle", details: { protocol: 2, legacyTorch: true } });
    expect(detectModelFormat(Buffer.from([0x80, 0x04, 0x95, 0, 0, 0, 0, 0, 0, 0, 0x7d, 0x2e]))).toEqual({ format: "pickle", details: { protocol: 4, legacyTorch: false } });
  });

  it("rejects short, empty and garbage input with a clear error", () => {
    expect(() => detectModelFormat(new Uint8Array(0))).toThrow("too short to identify: 0 bytes (need at least 8)");
    expect(() => detectModelFormat(Buffer.from("GGU"))).toThrow("too short to identify: 3 bytes (need at least 8)");
    expect(() => detectModelFormat(Buffer.from("hello, world! this is text"))).toThrow(/^unrecognised model format: the file's header matches none of/);
    expect(() => detectModelFormat(Buffer.from("hello, world! this is text"))).not.toThrow(/68 65 6c 6c|hello/);
    const badVersion = Buffer.from("GGUF\x63\x00\x00\x00", "latin1");
    expect(() => detectModelFormat(badVersion)).toThrow("GGUF magic but unsupported version 99 (known: 1, 2, 3)");
    // A safetensors-like prefix whose header length runs past the file.
    const st = safetensors({ w: { dtype: "F32", shape: [2] } });
    expect(() => detectModelFormat(st.subarray(0, 20))).toThrow(/unrecognised model format/);
  });

  it("never throws anything but a ModelFileError on random bytes", () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const prefixes = [[], [0x08], [0x50, 0x4b, 0x03, 0x04], [0x80, 0x03], [0x47, 0x47, 0x55, 0x46]];
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.from([...prefixes[i % prefixes.length]!, ...Array.from({ length: rand(120) }, () => rand(256))]);
      try {
        detectModelFormat(b, b.length + rand(1000));
      } catch (e) {
        if (!(e instanceof ModelFileError)) throw new Error(`input ${b.toString("hex")}: ${String(e)}`);
      }
    }
  });
});

describe("inspectModelFile", () => {
  it("summarises a safetensors file: parameters, dtype, tensor bytes", async () => {
    const p = tmp.file("m.safetensors", safetensors({ a: { dtype: "BF16", shape: [8, 16] }, b: { dtype: "F32", shape: [16] } }));
    const info = await inspectModelFile(p);
    expect(info).toMatchObject({ format: "safetensors", parameterCount: 144, quantization: Quantization.BF16, quantizationName: "BF16", weightsBytes: 8 * 16 * 2 + 16 * 4 });
  });

  it("rejects a safetensors header that is not JSON", async () => {
    const bad = safetensors({ a: { dtype: "F16", shape: [2] } });
    bad.write("{ nope", 8);
    const err = await inspectModelFile(tmp.file("bad.safetensors", bad)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as Error).message).toMatch(/safetensors header is not valid JSON/);
  });

  it("reports ONNX files without a parameter count", async () => {
    const info = await inspectModelFile(tmp.file("m.onnx", onnxModel()));
    expect(info.format).toBe("onnx");
    expect(info.parameterCount).toBeUndefined();
  });

  it("says not_found for missing files and invalid for directories", async () => {
    const missing = await inspectModelFile(`${tmp.dir}/nope.gguf`).catch((e: unknown) => e);
    expect(missing).toMatchObject({ problem: "not_found" });
    const dir = await inspectModelFile(tmp.dir).catch((e: unknown) => e);
    expect(dir).toMatchObject({ problem: "invalid", message: "is a directory, not a model file" });
  });
});
