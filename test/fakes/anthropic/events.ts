// What the fake has observed; exposed to tests via GET /_fake/events.
// Timestamps are ms since the epoch (Date.now()), comparable across processes
// on one machine, so tests can assert how soon a cancel reached the upstream.

export interface FakeAnthropicRequestEvent {
  type: "request";
  at: number;
  method: string;
  path: string;
  /** The query string without "?" ("" when none). */
  query: string;
  model: string | null;
  stream: boolean;
  headers: {
    /** Whether an x-api-key header was present (the value is never recorded). */
    "x-api-key": boolean;
    "anthropic-version": string | null;
    "anthropic-beta": string | null;
    "user-agent": string | null;
    traceparent: string | null;
    "x-request-id": string | null;
  };
  /** Parsed JSON body, the raw text if it was not JSON, or null if empty. */
  body: unknown;
}

export interface FakeAnthropicClosedEvent {
  type: "client-closed";
  at: number;
  path: string;
  model: string | null;
  /** SSE events written before the client went away (0 for non-streams). */
  afterChunks: number;
}

export type FakeAnthropicEvent = FakeAnthropicRequestEvent | FakeAnthropicClosedEvent;

export class EventLog {
  private events: FakeAnthropicEvent[] = [];
  push(event: FakeAnthropicEvent): void {
    this.events.push(event);
  }
  list(): FakeAnthropicEvent[] {
    return this.events;
  }
  clear(): void {
    this.events = [];
  }
}
