// Vendor stream translators read JSON that an upstream controls. Whatever
// shape it has, a translator must end in events or a ConnectError, never a
// TypeError or RangeError escaping as an internal crash: this wraps each one.
import { Code, ConnectError } from "@connectrpc/connect";

export async function* guardStream<T>(provider: string, events: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* events;
  } catch (err) {
    if (err instanceof ConnectError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new ConnectError(`provider "${provider}" sent a stream hoosh could not read: ${message}`, Code.Internal);
  }
}
