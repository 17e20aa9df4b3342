"""Re-quantizes the embedded Gemma 3 270M GGUF for the decode-cost experiment of bench/README.md
(bench/local-llm-costs.ts and bench/local-llm-concurrency.ts take the results as extra files).

Adds an untied `output.weight` (a copy of the Q8_0 token embedding, re-quantized to QTYPE), which
llama.cpp's CPU backend can repack for its AVX2 gemv/gemm kernels (the tied embedding cannot be: it
also serves the embedding lookup); with `layers`, the Q5_0 layer weights (640-wide rows rule out
k-quants) become QTYPE too. QTYPE: Q4_0 or IQ4_NL (both 4.5 bits, both repacked 8x8 on AVX2;
IQ4_NL's non-linear grid keeps more of the weights). gguf-py has no IQ4_NL quantizer: the one
below follows llama.cpp's quantize_row_iq4_nl (x^2 weights, 15 scale tries, least-squares scale).

    python3 -m venv /tmp/gguf && /tmp/gguf/bin/pip install gguf==0.17.1
    /tmp/gguf/bin/python bench/gguf-requantize.py IN.gguf OUT.gguf Q4_0|IQ4_NL [layers]
"""
import sys, numpy as np, gguf
from gguf import GGUFReader, GGUFWriter, GGMLQuantizationType as T
from gguf.quants import dequantize, quantize

KVALUES = np.array([-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113], dtype=np.float32)
MIDS = (KVALUES[1:] + KVALUES[:-1]) / 2

def iq4_nl(x: np.ndarray) -> np.ndarray:
    """(rows, cols) float32 -> (rows, cols / 32 * 18) uint8 blocks: fp16 scale, 16 bytes of nibbles."""
    rows, cols = x.shape
    out = np.empty((rows * cols // 32, 18), dtype=np.uint8)
    flat = x.reshape(-1, 32)
    for s in range(0, flat.shape[0], 1 << 18):
        b = flat[s:s + (1 << 18)].astype(np.float32)
        w = b * b
        amax_i = np.abs(b).argmax(axis=1)
        mx = b[np.arange(len(b)), amax_i][:, None]
        safe = np.where(mx == 0, 1, mx)
        def fit(inv):
            q = KVALUES[np.searchsorted(MIDS, b * inv)]
            return (w * q * b).sum(1, keepdims=True), (w * q * q).sum(1, keepdims=True)
        sqx, sq2 = fit(KVALUES[0] / safe)
        d = np.where(sq2 > 0, sqx / np.where(sq2 > 0, sq2, 1), 0)
        best = d * sqx
        for itry in range(-7, 8):
            sqx, sq2 = fit((itry + KVALUES[0]) / safe)
            better = (sq2 > 0) & (sqx * sqx > best * sq2)
            d = np.where(better, sqx / np.where(sq2 > 0, sq2, 1), d)
            best = np.where(better, d * sqx, best)
        inv = np.where(d != 0, 1 / np.where(d != 0, d, 1), 0)
        idx = np.searchsorted(MIDS, b * inv).astype(np.uint8)
        blk = out[s:s + len(b)]
        blk[:, 0:2] = d.astype(np.float16).view(np.uint8).reshape(-1, 2)
        blk[:, 2:] = idx[:, :16] | (idx[:, 16:] << 4)
    return out.reshape(rows, -1)

def requantize(data: np.ndarray, qtype: T) -> np.ndarray:
    return iq4_nl(data) if qtype == T.IQ4_NL else quantize(data, qtype)

src, dst, qname = sys.argv[1], sys.argv[2], sys.argv[3]
qtype = getattr(T, qname)
r = GGUFReader(src)
arch = r.fields["general.architecture"].contents()
w = GGUFWriter(dst, arch)
for f in r.fields.values():
    if f.name == gguf.Keys.General.ARCHITECTURE or f.name.startswith("GGUF."): continue
    vt = f.types[0]; st = f.types[-1] if vt == gguf.GGUFValueType.ARRAY else None
    w.add_key_value(f.name, f.contents(), vt, sub_type=st)
emb = next(t for t in r.tensors if t.name == "token_embd.weight")
out = requantize(dequantize(emb.data, emb.tensor_type), qtype)  # (262144, 640) floats in
layers = len(sys.argv) > 4 and sys.argv[4] == "layers"
def conv(t):
    if layers and t.tensor_type == T.Q5_0:
        return (t.name, requantize(dequantize(t.data, t.tensor_type), qtype), qtype)
    return (t.name, t.data, t.tensor_type)
tensors = [conv(t) for t in r.tensors] + [("output.weight", out, qtype)]
for name, data, tt in tensors:
    w.add_tensor_info(name, data.shape, data.dtype, data.nbytes, tt)
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_ti_data_to_file()
for name, data, tt in tensors: w.write_tensor_data(data)
w.close()
print("wrote", dst)
