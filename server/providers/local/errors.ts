// Errors of the in-process engine (node-llama-cpp throws plain Errors) to ConnectError, in
// this one place. The engine's own refusals (queue full, load failure, bad input) already are
// ConnectErrors and pass through.
import { Code, ConnectError } from "@connectrpc/connect";
import { abortError } from "../../engines/llm/slots.js";

/** node-llama-cpp's wording when a prompt cannot fit the context even after shifting it. */
const DOES_NOT_FIT = /does not fit the context|did not return a history that fits|longer than the (usable )?context/i;

export function localError(err: unknown, model: string, contextSize: number, signal: AbortSignal): ConnectError {
  // The caller went away (cancel, deadline, shutdown): whatever the engine threw, say that.
  if (signal.aborted) return abortError(signal);
  if (err instanceof ConnectError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (DOES_NOT_FIT.test(message)) {
    return new ConnectError(
      `messages: the prompt does not fit the context of local model "${model}" (${contextSize} tokens per sequence, local.context_size)`,
      Code.InvalidArgument,
    );
  }
  return new ConnectError(`local model "${model}": ${message}`, Code.Internal);
}
