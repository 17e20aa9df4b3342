// @grpc/grpc-js clients for hoosh services, built from the protobuf-es
// descriptors in gen/ts: a real, non-Connect gRPC stack, no proto-loader.
import { fromBinary, toBinary, type DescMessage, type DescService, type Message } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";

function serializers(schema: DescMessage) {
  return {
    serialize: (m: Message) => Buffer.from(toBinary(schema, m)),
    deserialize: (b: Buffer) => fromBinary(schema, b),
  };
}

/** A grpc-js ServiceDefinition for a protobuf-es service; methods keyed by localName (generate, generateStream, ...). */
export function grpcJsDefinition(service: DescService): grpc.ServiceDefinition {
  const def: Record<string, grpc.MethodDefinition<Message, Message>> = {};
  for (const method of service.methods) {
    const input = serializers(method.input);
    const output = serializers(method.output);
    def[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      requestSerialize: input.serialize,
      requestDeserialize: input.deserialize,
      responseSerialize: output.serialize,
      responseDeserialize: output.deserialize,
    };
  }
  return def;
}

/** An untyped grpc-js client for `service` at host:port over plaintext HTTP/2. */
export function grpcJsClient(service: DescService, address: string): grpc.Client {
  const Ctor = grpc.makeGenericClientConstructor(grpcJsDefinition(service), service.name);
  return new Ctor(address, grpc.credentials.createInsecure());
}

/** A unary call as a promise; rejects with the grpc-js ServiceError. */
export function unary<Res>(client: grpc.Client, method: string, request: unknown, options: grpc.CallOptions = {}): Promise<Res> {
  const fn = (client as unknown as Record<string, (...args: unknown[]) => grpc.ClientUnaryCall>)[method];
  if (!fn) throw new Error(`no method ${method}`);
  return new Promise<Res>((resolve, reject) => {
    fn.call(client, request, new grpc.Metadata(), options, (err: grpc.ServiceError | null, res: Res) => (err ? reject(err) : resolve(res)));
  });
}

/** Starts a server-streaming call. */
export function serverStream<Res>(client: grpc.Client, method: string, request: unknown, options: grpc.CallOptions = {}): grpc.ClientReadableStream<Res> {
  const fn = (client as unknown as Record<string, (...args: unknown[]) => grpc.ClientReadableStream<Res>>)[method];
  if (!fn) throw new Error(`no method ${method}`);
  return fn.call(client, request, new grpc.Metadata(), options);
}

export interface Timed<T> {
  value: T;
  /** ms since the call started */
  at: number;
}

/**
 * Reads a grpc-js server stream to its end (or to its error). With `cancelAfter`, cancels the call after
 * that many messages. Resolves with the messages (timed) and the final status or error.
 */
export function drain<Res>(
  call: grpc.ClientReadableStream<Res>,
  opts: { cancelAfter?: number } = {},
): Promise<{ messages: Timed<Res>[]; error?: grpc.ServiceError; status?: grpc.StatusObject }> {
  const started = performance.now();
  const messages: Timed<Res>[] = [];
  return new Promise((resolve) => {
    let error: grpc.ServiceError | undefined;
    call.on("data", (m: Res) => {
      messages.push({ value: m, at: performance.now() - started });
      if (opts.cancelAfter !== undefined && messages.length === opts.cancelAfter) call.cancel();
    });
    call.on("error", (err: grpc.ServiceError) => (error = err));
    // "status" comes after "end" or "error" in every case.
    call.on("status", (status: grpc.StatusObject) => resolve({ messages, error, status }));
  });
}
