// Per-provider admission: a concurrency cap and requests/tokens per minute
// (sliding 60 s window). A refused admission is ResourceExhausted with a
// Retry-After, which the pipeline treats like an upstream 429: try the next
// provider.
import { Code, ConnectError } from "@connectrpc/connect";

export interface ProviderLimitSettings {
  maxConcurrency?: number;
  rpm?: number;
  tpm?: number;
}

const WINDOW_MS = 60_000;

interface Window {
  inFlight: number;
  /** Start times of requests in the window, oldest first. */
  requests: number[];
  /** Tokens used, by time, oldest first. */
  tokens: { at: number; n: number }[];
  tokenSum: number;
}

export interface Admission {
  /** Call once when the call ends, with the tokens it used (0 if unknown). */
  done(tokens: number): void;
}

export class ProviderLimits {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly settings: (provider: string) => ProviderLimitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Admits a call or throws ResourceExhausted naming the limit, with retry-after metadata. */
  admit(provider: string): Admission {
    const limits = this.settings(provider);
    const w = this.window(provider);
    const now = this.now();
    this.trim(w, now);
    if (limits.maxConcurrency !== undefined && w.inFlight >= limits.maxConcurrency) {
      throw limited(provider, `${w.inFlight} calls in flight (max_concurrency ${limits.maxConcurrency})`, 1_000);
    }
    if (limits.rpm !== undefined && w.requests.length >= limits.rpm) {
      throw limited(provider, `${w.requests.length} requests in the last minute (rpm ${limits.rpm})`, w.requests[0]! + WINDOW_MS - now);
    }
    if (limits.tpm !== undefined && w.tokenSum >= limits.tpm) {
      throw limited(provider, `${w.tokenSum} tokens in the last minute (tpm ${limits.tpm})`, w.tokens[0]!.at + WINDOW_MS - now);
    }
    w.inFlight++;
    w.requests.push(now);
    let finished = false;
    return {
      done: (tokens) => {
        if (finished) return;
        finished = true;
        w.inFlight--;
        if (tokens > 0) {
          w.tokens.push({ at: this.now(), n: tokens });
          w.tokenSum += tokens;
        }
      },
    };
  }

  private window(provider: string): Window {
    let w = this.windows.get(provider);
    if (!w) {
      w = { inFlight: 0, requests: [], tokens: [], tokenSum: 0 };
      this.windows.set(provider, w);
    }
    return w;
  }

  private trim(w: Window, now: number): void {
    const cutoff = now - WINDOW_MS;
    while (w.requests.length > 0 && w.requests[0]! <= cutoff) w.requests.shift();
    while (w.tokens.length > 0 && w.tokens[0]!.at <= cutoff) w.tokenSum -= w.tokens.shift()!.n;
  }
}

function limited(provider: string, what: string, retryAfterMs: number): ConnectError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new ConnectError(`provider "${provider}" is at its limit: ${what}`, Code.ResourceExhausted, { "retry-after": String(seconds) });
}
