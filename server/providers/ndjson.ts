// Newline-delimited JSON reader over a byte stream (Ollama's streaming format):
// lines may be split across chunks anywhere; blank lines and a final line
// without a newline are handled; a bad line is an error naming it.
import { Code, ConnectError } from "@connectrpc/connect";

export async function* readNdjson<T>(body: AsyncIterable<Uint8Array>, provider: string): AsyncGenerator<T> {
  const decoder = new TextDecoder();
  let buffered = "";
  const parse = (line: string): T => {
    try {
      return JSON.parse(line) as T;
    } catch {
      throw new ConnectError(`provider "${provider}" sent a stream line that is not JSON: ${line.slice(0, 120)}`, Code.Internal);
    }
  };
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield parse(line);
    }
  }
  const rest = (buffered + decoder.decode()).trim();
  if (rest) yield parse(rest);
}
