"""Re-quantizes the embedded Gemma 3 270M GGUF for the decode-cost experiment of bench/README.md
(bench/local-llm-costs.ts takes the results as extra files). Not used by hoosh itself.

Adds an untied `output.weight` (a copy of the Q8_0 token embedding, re-quantized to QTYPE), which
llama.cpp's CPU backend can repack for faster AVX2 kernels (the tied embedding cannot be: it also
serves the embedding lookup); with `layers`, the Q5_0 layer weights become Q4_0 too.

    python3 -m venv /tmp/gguf && /tmp/gguf/bin/pip install gguf==0.17.1
    /tmp/gguf/bin/python bench/gguf-requantize.py IN.gguf OUT.gguf Q4_0 [layers]
"""
import sys, numpy as np, gguf
from gguf import GGUFReader, GGUFWriter, GGMLQuantizationType as T
from gguf.quants import dequantize, quantize
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
deq = dequantize(emb.data, emb.tensor_type)  # shape (262144, 640) float32
out = quantize(deq, qtype)
requant = len(sys.argv) > 4 and sys.argv[4] == "layers"
def conv(t):
    if requant and t.tensor_type == T.Q5_0:
        return (t.name, quantize(dequantize(t.data, t.tensor_type), T.Q4_0), T.Q4_0)
    return (t.name, t.data, t.tensor_type)
tensors = [conv(t) for t in r.tensors] + [("output.weight", out, qtype)]
for name, data, tt in tensors:
    w.add_tensor_info(name, data.shape, data.dtype, data.nbytes, tt)
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_ti_data_to_file()
for name, data, tt in tensors: w.write_tensor_data(data)
w.close()
print("wrote", dst)
