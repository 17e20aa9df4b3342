// Builds a GenerateStreamResponse from a plain event init; shared by adapters.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { GenerateStreamResponseSchema, type GenerateStreamResponse } from "../../gen/ts/hoosh/v1/inference_pb.js";

export type StreamEventInit = NonNullable<MessageInitShape<typeof GenerateStreamResponseSchema>["event"]>;

export function streamEvent(event: StreamEventInit): GenerateStreamResponse {
  return create(GenerateStreamResponseSchema, { event });
}
