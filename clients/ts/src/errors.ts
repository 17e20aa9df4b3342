// Typed view of a failed call: the gRPC code by name, the field a bad request
// named, and how long to wait before retrying when hoosh says so.
import { Code, ConnectError } from "@connectrpc/connect";

export { Code };

export class HooshError extends Error {
  override readonly name = "HooshError";

  constructor(
    /** gRPC status code. */
    readonly code: Code,
    message: string,
    /** For InvalidArgument: the request field hoosh named (e.g. "messages[0].role"). */
    readonly field: string | undefined,
    /** From retry-after metadata (rate limits, budgets). */
    readonly retryAfterSeconds: number | undefined,
    override readonly cause: ConnectError,
  ) {
    super(message);
  }

  get codeName(): string {
    return Code[this.code];
  }
}

/** Any error from a hoosh call as a HooshError. */
export function toHooshError(err: unknown): HooshError {
  const e = ConnectError.from(err);
  const field = e.code === Code.InvalidArgument ? /^([\w.[\]]+): /.exec(e.rawMessage)?.[1] : undefined;
  const retry = Number(e.metadata.get("retry-after") ?? NaN);
  return new HooshError(e.code, e.rawMessage, field, Number.isFinite(retry) ? retry : undefined, e);
}
