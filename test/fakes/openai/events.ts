// What the fake has observed; exposed to tests via GET /_fake/events.

export interface FakeRequestEvent {
  type: "request";
  method: string;
  path: string;
  model: string | null;
  stream: boolean;
  headers: {
    /** Whether an Authorization header was present (the value is never recorded). */
    authorization: boolean;
    "user-agent": string | null;
    traceparent: string | null;
    "x-request-id": string | null;
  };
  /** Parsed JSON body, the raw text if it was not JSON, or null if empty; for uploads an UploadRecord (see transcriptions.ts). */
  body: unknown;
}

export interface FakeClientClosedEvent {
  type: "client-closed";
  path: string;
  model: string | null;
  /** SSE data chunks written before the client went away (0 for non-streams). */
  afterChunks: number;
  /** When the fake saw the connection close (ms since epoch), for cancellation-latency checks. */
  at: number;
}

export type FakeEvent = FakeRequestEvent | FakeClientClosedEvent;

export class EventLog {
  private events: FakeEvent[] = [];
  push(event: FakeEvent): void {
    this.events.push(event);
  }
  list(): FakeEvent[] {
    return this.events;
  }
  clear(): void {
    this.events = [];
  }
}
