// What the fake Vertex AI has observed; exposed to tests via GET /_fake/events.
import { EventLog } from "../event-log.js";

export interface FakeVertexRequestEvent {
  type: "request";
  at: number;
  method: string;
  path: string;
  model: string | null;
  /** "token" for the OAuth endpoint; otherwise the model method (generateContent, rawPredict, ...). */
  action: string | null;
  /** Bearer check: "ok", "missing", "unknown" or "expired"; "-" for the token endpoint. */
  bearer: string;
  body: unknown;
}

export interface FakeVertexClosedEvent {
  type: "client-closed";
  at: number;
  path: string;
  model: string | null;
  afterChunks: number;
}

export type FakeVertexEvent = FakeVertexRequestEvent | FakeVertexClosedEvent;

export class VertexEventLog extends EventLog<FakeVertexEvent> {}
