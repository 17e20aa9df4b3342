// What the fake Bedrock has observed; exposed to tests via GET /_fake/events.
import { EventLog } from "../event-log.js";

export interface FakeBedrockRequestEvent {
  type: "request";
  at: number;
  method: string;
  path: string;
  model: string | null;
  operation: string | null;
  /** The signature check's result: "ok" or the exception type it answered. */
  signature: string;
  body: unknown;
}

export interface FakeBedrockClosedEvent {
  type: "client-closed";
  at: number;
  path: string;
  model: string | null;
  afterChunks: number;
}

export type FakeBedrockEvent = FakeBedrockRequestEvent | FakeBedrockClosedEvent;

export class BedrockEventLog extends EventLog<FakeBedrockEvent> {}
