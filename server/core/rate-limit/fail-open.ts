/**
 * Rate windows for [store] on_unavailable = "fail-open": while the store cannot be reached a
 * check admits the request (and a token count is dropped) instead of refusing it with
 * UNAVAILABLE. The budget side of fail-open is in core/accounting.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { RateWindows } from "./window.js";

export type FailOpenLog = (level: "warn", msg: string, fields: Record<string, unknown>) => void;

export function failOpenWindows(windows: RateWindows, log: FailOpenLog): RateWindows {
  const unavailable = (err: unknown, what: string, key: string): boolean => {
    const error = ConnectError.from(err);
    if (error.code !== Code.Unavailable) return false;
    log("warn", `rate window unavailable; ${what} (store.on_unavailable = fail-open)`, { subject: key, error: error.rawMessage });
    return true;
  };
  return {
    async take(key, limits, now) {
      try {
        return await windows.take(key, limits, now);
      } catch (err) {
        if (unavailable(err, "admitting the request", key)) return { admitted: true };
        throw err;
      }
    },
    async addTokens(key, tokens, now) {
      try {
        await windows.addTokens(key, tokens, now);
      } catch (err) {
        if (!unavailable(err, "its tokens are not counted", key)) throw err;
      }
    },
    close: () => windows.close(),
  };
}
