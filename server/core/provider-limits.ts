// Per-provider admission: a concurrency cap and requests/tokens per minute
// (sliding 60 s window). A refused admission is ResourceExhausted with a
// Retry-After, which the pipeline treats like an upstream 429: try the next
// provider. With `shared` windows (Redis, [store] kind = "redis") rpm and tpm
// count every replica's calls; the concurrency cap is always per process.
import { Code, ConnectError } from "@connectrpc/connect";
import type { RateWindows } from "./rate-limit/window.js";

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
    private readonly shared?: RateWindows,
  ) {}

  /** Admits a call or throws ResourceExhausted naming the limit, with retry-after metadata. */
  async admit(provider: string): Promise<Admission> {
    const limits = this.settings(provider);
    const w = this.window(provider);
    const now = this.now();
    this.trim(w, now);
    if (limits.maxConcurrency !== undefined && w.inFlight >= limits.maxConcurrency) {
      throw limited(provider, `${w.inFlight} calls in flight (max_concurrency ${limits.maxConcurrency})`, 1_000);
    }
    const counted = limits.rpm !== undefined || limits.tpm !== undefined;
    if (!this.shared) {
      if (limits.rpm !== undefined && w.requests.length >= limits.rpm) {
        throw limited(provider, `${w.requests.length} requests in the last minute (rpm ${limits.rpm})`, w.requests[0]! + WINDOW_MS - now);
      }
      if (limits.tpm !== undefined && w.tokenSum >= limits.tpm) {
        throw limited(provider, `${w.tokenSum} tokens in the last minute (tpm ${limits.tpm})`, w.tokens[0]!.at + WINDOW_MS - now);
      }
      w.requests.push(now);
    }
    // Hold the concurrency slot while the shared window answers.
    w.inFlight++;
    if (this.shared && counted) {
      try {
        const verdict = await this.shared.take(subject(provider), { rpm: limits.rpm, tpm: limits.tpm }, now);
        if (!verdict.admitted) {
          const what = verdict.limit === "rpm" ? `${limits.rpm} requests in the last minute across replicas (rpm ${limits.rpm})` : `${limits.tpm} tokens in the last minute across replicas (tpm ${limits.tpm})`;
          throw limited(provider, what, verdict.retryAfterMs);
        }
      } catch (err) {
        w.inFlight--;
        throw err;
      }
    }
    let finished = false;
    return {
      done: (tokens) => {
        if (finished) return;
        finished = true;
        w.inFlight--;
        if (tokens <= 0) return;
        if (!this.shared) {
          w.tokens.push({ at: this.now(), n: tokens });
          w.tokenSum += tokens;
        } else if (limits.tpm !== undefined) {
          // A lost count only loosens the limit; the call itself is done.
          void this.shared.addTokens(subject(provider), tokens, this.now()).catch(() => undefined);
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

function subject(provider: string): string {
  return `provider:${provider}`;
}
