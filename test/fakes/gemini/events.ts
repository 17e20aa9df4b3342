// What the fake Gemini upstream has observed; exposed to tests via GET /_fake/events.

export interface FakeGeminiRequestEvent {
  type: "request";
  /** Arrival time, ms since the epoch. */
  at: number;
  method: string;
  path: string;
  /** Query parameters; a `key` parameter is recorded as "(redacted)". */
  query: Record<string, string>;
  /** Model id from the path (without "models/"), or null. */
  model: string | null;
  /** The method after the colon, e.g. "generateContent", or null (GET /models). */
  action: string | null;
  headers: {
    /** Whether x-goog-api-key was present (the value is never recorded). */
    "x-goog-api-key": boolean;
    /** Whether the key came as ?key= in the URL (Google allows it; hoosh must not do it). */
    keyInQuery: boolean;
    accept: string | null;
    "user-agent": string | null;
    traceparent: string | null;
    "x-request-id": string | null;
  };
  /** Parsed JSON body, the raw text if it was not JSON, or null if empty. */
  body: unknown;
}

export interface FakeGeminiClosedEvent {
  type: "client-closed";
  /** When the fake saw the connection close, ms since the epoch. */
  at: number;
  path: string;
  model: string | null;
  /** SSE data chunks written before the client went away (0 for non-streams). */
  afterChunks: number;
}

export type FakeGeminiEvent = FakeGeminiRequestEvent | FakeGeminiClosedEvent;

export class GeminiEventLog {
  private events: FakeGeminiEvent[] = [];
  push(event: FakeGeminiEvent): void {
    this.events.push(event);
  }
  list(): FakeGeminiEvent[] {
    return this.events;
  }
  clear(): void {
    this.events = [];
  }
}
