// Vendor stream translators read JSON that an upstream controls. Whatever
// shape it has, a translator must end in events or a ConnectError, never a
// TypeError or RangeError escaping as an internal crash: this wraps each one.
import { Code, ConnectError } from "@connectrpc/connect";

export async function* guardStream<T>(provider: string, events: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* events;
  } catch (err) {
    // Only what malformed data causes; socket errors, timeouts and aborts keep going up to
    // the transport's own mapping (Unavailable, DeadlineExceeded, the caller's reason).
    if (err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError) {
      throw new ConnectError(`provider "${provider}" sent a stream hoosh could not read: ${err.message}`, Code.Internal);
    }
    throw err;
  }
}
