// What the fake Ollama has observed; exposed to tests via GET /_fake/events.
// Every event carries `at`, its time in ms since the epoch (Date.now()).

export interface FakeOllamaRequestEvent {
  type: "request";
  at: number;
  method: string;
  path: string;
  model: string | null;
  /** Whether the request streams as Ollama reads it: true unless the body says "stream": false. */
  stream: boolean;
  headers: {
    /** Whether an Authorization header was present (the value is never recorded). */
    authorization: boolean;
    "user-agent": string | null;
    traceparent: string | null;
    "x-request-id": string | null;
    accept: string | null;
  };
  /** Parsed JSON body, the raw text if it was not JSON, or null if empty. */
  body: unknown;
}

export interface FakeOllamaClientClosedEvent {
  type: "client-closed";
  at: number;
  path: string;
  model: string | null;
  /** NDJSON lines written before the client went away (0 for non-streams). */
  afterChunks: number;
}

export type FakeOllamaEvent = FakeOllamaRequestEvent | FakeOllamaClientClosedEvent;

export class EventLog {
  private events: FakeOllamaEvent[] = [];
  push(event: FakeOllamaEvent): void {
    this.events.push(event);
  }
  list(): FakeOllamaEvent[] {
    return this.events;
  }
  clear(): void {
    this.events = [];
  }
}
