// Scripted behaviour of the fake Ollama, selected by the request's model name.

export type Script =
  | { kind: "normal" }
  | { kind: "error"; status: number; message: string; headers?: Record<string, string> }
  | { kind: "slow-first-byte" }
  | { kind: "long-stream" }
  | { kind: "stream-error" }
  | { kind: "reset" }
  | { kind: "malformed" }
  | { kind: "think" };

/** The line Ollama writes when the runner fails mid-generation. */
export const STREAM_ERROR = "an error was encountered while running the model: unexpected EOF";

export function scriptFor(model: string): Script {
  switch (model) {
    case "fake-404":
      return { kind: "error", status: 404, message: `model "${model}" not found, try pulling it first` };
    case "fake-400":
      return { kind: "error", status: 400, message: "invalid options: num_ctx must be a positive integer (fake-400)" };
    case "fake-500":
      return { kind: "error", status: 500, message: "llama runner process has terminated: exit status 2" };
    case "fake-429":
      return { kind: "error", status: 429, message: "too many requests, please try again later", headers: { "retry-after": "3" } };
    case "fake-slow-first-byte":
      return { kind: "slow-first-byte" };
    case "fake-long-stream":
      return { kind: "long-stream" };
    case "fake-stream-error":
      return { kind: "stream-error" };
    case "fake-reset":
      return { kind: "reset" };
    case "fake-malformed":
      return { kind: "malformed" };
    case "fake-think":
      return { kind: "think" };
    default:
      return { kind: "normal" };
  }
}

const details = (family: string, parameterSize: string, quantization: string) => ({
  parent_model: "",
  format: "gguf",
  family,
  families: [family],
  parameter_size: parameterSize,
  quantization_level: quantization,
});

/** Models listed by GET /api/tags. Any other name works too (scripted or echo). */
export const MODELS = [
  { name: "llama3.2:latest", size: 2_019_393_189, details: details("llama", "3.2B", "Q4_K_M") },
  { name: "qwen3:8b", size: 5_225_387_923, details: details("qwen3", "8.2B", "Q4_K_M") },
  { name: "llava:7b", size: 4_733_363_377, details: details("llama", "7B", "Q4_0") },
  { name: "nomic-embed-text:latest", size: 274_302_450, details: details("nomic-bert", "137M", "F16") },
].map((m, i) => ({
  name: m.name,
  model: m.name,
  modified_at: "2025-06-01T12:00:00.000000000Z",
  size: m.size,
  digest: `${String(i + 1).repeat(8)}`.padEnd(64, "0"),
  details: m.details,
}));

export const VERSION = "0.12.6";
