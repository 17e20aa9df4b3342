import { open, readFile } from "node:fs/promises";

import { afterAll, describe, expect, it } from "vitest";

import { Quantization } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { ModelFileError } from "../../server/hardware/errors.js";
import { readGgufFile } from "../../server/hardware/gguf.js";
import { reportStoriesAbsence, storiesPath, tempDir } from "./fixtures.js";
import { str, tinyGguf, u32, writeGguf } from "./gguf-writer.js";

reportStoriesAbsence("gguf reader");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function expectInvalid(bytes: Uint8Array, pattern: RegExp): Promise<void> {
  const p = tmp.file(`bad-${Math.random().toString(36).slice(2)}.gguf`, bytes);
  const err = await readGgufFile(p).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelFileError);
  expect((err as ModelFileError).problem).toBe("invalid");
  expect((err as Error).message).toMatch(pattern);
}

describe("GGUF reader on the real stories260K model", () => {
  it("reads architecture, shape, context and counts", async () => {
    const g = await readGgufFile(storiesPath);
    expect(g.version).toBe(3);
    expect(g.tensorCount).toBe(48);
    expect(g.metadata.size).toBe(19);
    expect(g.architecture).toBe("llama");
    expect(g.contextLength).toBe(2048);
    expect(g.blockCount).toBe(5);
    expect(g.embeddingLength).toBe(64);
    expect(g.headCount).toBe(8);
    expect(g.headCountKv).toBe(4);
    expect(g.hasChatTemplate).toBe(false);
    expect(g.metadata.get("tokenizer.ggml.model")).toBe("llama");
    expect(g.metadata.get("tokenizer.ggml.tokens")).toEqual({ type: "array", elementType: "string", length: 512 });
    // No general.parameter_count or general.file_type in this file: counted from the tensor infos.
    expect(g.fileType).toBeUndefined();
    expect(g.parameterCountSource).toBe("tensors");
    expect(g.parameterCount).toBe(292_800);
    expect(g.quantizationName).toBe("F32");
    expect(g.quantization).toBe(Quantization.F32);
    // All-F32 tensors: the data section is exactly 4 bytes per parameter.
    expect(g.tensorDataBytes).toBe(292_800 * 4);
    expect(g.fileSize).toBe(1_185_376);
  });
});

describe("GGUF reader on a self-written tiny GGUF", () => {
  const tiny = tinyGguf();
  const tinyPath = tmp.file("tiny.gguf", tiny);

  it("reads every value type, nested arrays and the model fields", async () => {
    const g = await readGgufFile(tinyPath);
    expect(g).toMatchObject({
      version: 3,
      tensorCount: 14,
      architecture: "llama",
      name: "hoosh tiny test model",
      contextLength: 256,
      blockCount: 2,
      embeddingLength: 16,
      headCount: 2,
      headCountKv: 1,
      fileType: 1,
      quantizationName: "F16",
      quantization: Quantization.F16,
      parameterCount: 3136,
      parameterCountSource: "tensors",
      hasChatTemplate: true,
      tensorDataBytes: 6400,
      fileSize: tiny.length,
    });
    const m = g.metadata;
    expect(m.get("test.u8")).toBe(200);
    expect(m.get("test.i8")).toBe(-5);
    expect(m.get("test.u16")).toBe(65000);
    expect(m.get("test.i16")).toBe(-300);
    expect(m.get("test.i32")).toBe(-70000);
    expect(m.get("test.bool")).toBe(true);
    expect(m.get("test.u64")).toBe(2 ** 40);
    expect(m.get("test.u64_big")).toBe((1n << 63n) + 5n);
    expect(m.get("test.i64")).toBe(-(2 ** 40));
    expect(m.get("test.f64")).toBe(0.125);
    expect(m.get("llama.rope.freq_base")).toBe(10000);
    expect(m.get("test.nested")).toEqual({
      type: "array",
      elementType: "array",
      length: 2,
      values: [
        { type: "array", elementType: "uint8", length: 2, values: [1, 2] },
        { type: "array", elementType: "string", length: 2, values: ["a", "bc"] },
      ],
    });
    expect(m.get("tokenizer.ggml.tokens")).toEqual({ type: "array", elementType: "string", length: 32 });
  });

  it("takes general.parameter_count when present and then skips the tensor infos", async () => {
    const p = tmp.file("counted.gguf", writeGguf({
      kv: [["general.architecture", str("llama")], ["general.parameter_count", { type: "u64", value: 7_000_000_000n }], ["general.file_type", u32(15)]],
      tensors: [{ name: "x", dims: [4], type: 0 }],
    }));
    const g = await readGgufFile(p);
    expect(g.parameterCount).toBe(7e9);
    expect(g.parameterCountSource).toBe("metadata");
    expect(g.quantizationName).toBe("Q4_K_M");
    expect(g.quantization).toBe(Quantization.Q4_K_M);
  });

  it("names file types the proto has no value for", async () => {
    const p = tmp.file("iq.gguf", writeGguf({ kv: [["general.file_type", u32(30)], ["general.parameter_count", u32(10)]] }));
    const g = await readGgufFile(p);
    expect(g.quantizationName).toBe("IQ4_XS");
    expect(g.quantization).toBe(Quantization.UNSPECIFIED);
  });

  it("reads v2 files", async () => {
    const g = await readGgufFile(tmp.file("v2.gguf", writeGguf({ version: 2, kv: [["general.architecture", str("phi3")]] })));
    expect(g.version).toBe(2);
    expect(g.architecture).toBe("phi3");
  });

  it("does not load big files: reads through a small window", async () => {
    const fh = await open(tinyPath, "r");
    await fh.close();
    // 260 MB of (sparse) tensor data after the header: reading the metadata stays instant.
    const header = tinyGguf();
    const big = tmp.file("big.gguf", header);
    const h = await open(big, "r+");
    await h.truncate(header.length + 260_000_000);
    await h.close();
    const t = performance.now();
    const g = await readGgufFile(big);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(g.tensorDataBytes).toBe(6400 + 260_000_000);
  });
});

describe("GGUF reader on corrupt input: a clear error, never a crash", () => {
  it("rejects a wrong magic, unsupported versions and big-endian files", async () => {
    await expectInvalid(Buffer.from("NOPE0000000000000000000000000000"), /not a GGUF file/);
    const v1 = tinyGguf();
    v1.writeUInt32LE(1, 4);
    await expectInvalid(v1, /unsupported GGUF version 1 \(supported: 2, 3\)/);
    const be = tinyGguf();
    be.writeUInt32BE(3, 4);
    await expectInvalid(be, /big-endian GGUF v3 is not supported/);
  });

  it("rejects files shorter than the header", async () => {
    await expectInvalid(Buffer.from("GGUF"), /file is 4 bytes, shorter than the 24-byte GGUF header/);
  });

  it("rejects lengths and counts larger than the file", async () => {
    const huge = writeGguf({ kv: [["k", str("value")]] });
    huge.writeBigUInt64LE(1n << 60n, 24); // the key's length
    await expectInvalid(huge, /length of key of metadata entry 0 1152921504606846976 at offset 24 is impossible/);
    const kvs = writeGguf({ kv: [] });
    kvs.writeBigUInt64LE(1n << 40n, 16);
    await expectInvalid(kvs, /metadata kv count \d+ at offset 16 is impossible/);
    const arr = writeGguf({ kv: [["a", { type: "array", elementType: "u32", values: [u32(1)] }]] });
    arr.writeBigUInt64LE(1n << 40n, 24 + 8 + 1 + 4 + 4); // element count
    await expectInvalid(arr, /element count of "a" \d+ at offset \d+ is impossible/);
  });

  it("rejects unknown value types", async () => {
    const b = writeGguf({ kv: [["k", u32(7)]] });
    b.writeUInt32LE(13, 24 + 8 + 1);
    await expectInvalid(b, /"k" has unknown value type 13/);
  });

  it("every truncation of the tiny file gives an invalid-model error or a result, nothing else", async () => {
    const tiny = tinyGguf();
    let errors = 0;
    for (let n = 0; n < tiny.length; n += 13) {
      const p = tmp.file("cut.gguf", tiny.subarray(0, n));
      try {
        await readGgufFile(p);
      } catch (e) {
        expect(e).toBeInstanceOf(ModelFileError);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(30);
    await expectInvalid(tiny.subarray(0, 100), /tensor count 14 at offset 8 is impossible: .* \(corrupt or truncated\)/);
    const small = writeGguf({ kv: [["llama.block_count", u32(5)]] });
    const cut = 24 + 8 + "llama.block_count".length + 4 + 2; // header, key, type, then 2 of the u32 value
    await expectInvalid(small.subarray(0, cut), new RegExp(`truncated: value of "llama.block_count" needs 4 bytes at offset ${cut - 2} but the file ends at ${cut}`));
    await expectInvalid(tiny.subarray(0, tiny.indexOf("{% for") + 5), /length of value of "tokenizer.chat_template" 50 at offset \d+ is impossible/);
  });

  it("random byte corruption of the header gives an invalid-model error or a result, nothing else", async () => {
    const tiny = tinyGguf();
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 300; i++) {
      const b = Buffer.from(tiny);
      for (let k = 0; k < 3; k++) b[rand(1200)] = rand(256);
      const p = tmp.file("fuzz.gguf", b);
      try {
        await readGgufFile(p);
      } catch (e) {
        if (!(e instanceof ModelFileError)) throw new Error(`iteration ${i}: ${String(e)}`);
      }
    }
  });

  it("a truncated copy of stories260K fails clearly", async () => {
    const real = await readFile(storiesPath);
    await expectInvalid(real.subarray(0, 5000), /truncated/);
  });
});
