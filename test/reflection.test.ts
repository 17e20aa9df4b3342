import http2 from "node:http2";
import type { AddressInfo } from "node:net";

import { create, createFileRegistry, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescService, MessageInitShape } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  file_google_protobuf_empty,
} from "@bufbuild/protobuf/wkt";
import type { FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { file_google_api_annotations } from "../gen/ts/google/api/annotations_pb.js";
import { Health } from "../gen/ts/grpc/health/v1/health_pb.js";
import {
  ServerReflection,
  ServerReflectionRequestSchema,
} from "../gen/ts/grpc/reflection/v1/reflection_pb.js";
import type { ServerReflectionResponse } from "../gen/ts/grpc/reflection/v1/reflection_pb.js";
import {
  ServerReflectionRequestSchema as RequestV1alpha,
  ServerReflectionResponseSchema as ResponseV1alpha,
} from "../gen/ts/grpc/reflection/v1alpha/reflection_pb.js";
import type {
  ServerReflectionRequest as RequestMessageV1alpha,
  ServerReflectionResponse as ResponseMessageV1alpha,
} from "../gen/ts/grpc/reflection/v1alpha/reflection_pb.js";
import { HealthStatus } from "../server/core/health-status.js";
import { registerHealth } from "../server/rpc/health.js";
import { registerReflection } from "../server/rpc/reflection.js";

const METHOD_OPTIONS = "google.protobuf.MethodOptions";
const HTTP_EXTENSION_NUMBER = 72295728; // google.api.http

/**
 * A service defined only for this test, with imports (one of them importing
 * further), nested types and an enum, so transitive answers can be checked.
 */
function echoService(): DescService {
  const proto = create(FileDescriptorProtoSchema, {
    name: "test/echo/v1/echo.proto",
    package: "test.echo.v1",
    syntax: "proto3",
    dependency: ["google/api/annotations.proto", "google/protobuf/empty.proto"],
    messageType: [
      {
        name: "EchoRequest",
        field: [
          {
            name: "text",
            jsonName: "text",
            number: 1,
            type: FieldDescriptorProto_Type.STRING,
            label: FieldDescriptorProto_Label.OPTIONAL,
          },
        ],
        nestedType: [{ name: "Inner" }],
        enumType: [{ name: "Mode", value: [{ name: "MODE_UNSPECIFIED", number: 0 }] }],
      },
    ],
    service: [
      {
        name: "EchoService",
        method: [{ name: "Echo", inputType: ".test.echo.v1.EchoRequest", outputType: ".google.protobuf.Empty" }],
      },
    ],
  });
  const imports = [file_google_api_annotations, file_google_protobuf_empty];
  const registry = createFileRegistry(proto, (name) => imports.find((f) => f.proto.name === name));
  return registry.getService("test.echo.v1.EchoService")!;
}

type Request = MessageInitShape<typeof ServerReflectionRequestSchema>;

function fileNames(res: ServerReflectionResponse): string[] {
  if (res.messageResponse.case !== "fileDescriptorResponse") {
    throw new Error(`expected files, got ${res.messageResponse.case}`);
  }
  return res.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name);
}

function errorOf(res: ServerReflectionResponse): { code: number; message: string } {
  if (res.messageResponse.case !== "errorResponse") throw new Error(`expected error, got ${res.messageResponse.case}`);
  return { code: res.messageResponse.value.errorCode, message: res.messageResponse.value.errorMessage };
}

describe("gRPC server reflection", () => {
  let server: http2.Http2Server;
  let address: string;
  let sessions: Http2SessionManager;
  let client: Client<typeof ServerReflection>;
  const Echo = echoService();

  beforeAll(async () => {
    server = http2.createServer(
      connectNodeAdapter({
        routes: (router) => {
          registerReflection(router, { services: [Echo], files: [file_google_api_annotations] });
          // Registered after reflection on purpose: reflection reads the router lazily.
          registerHealth(router, new HealthStatus());
        },
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    sessions = new Http2SessionManager(`http://${address}`);
    client = createClient(ServerReflection, createGrpcTransport({ baseUrl: `http://${address}`, sessionManager: sessions }));
  });

  afterAll(async () => {
    sessions.abort(); // server.close() waits for open sessions
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  });

  /** Sends all requests on ONE bidi stream and collects the answers. */
  async function ask(...requests: Request[]): Promise<ServerReflectionResponse[]> {
    async function* input() {
      for (const r of requests) yield create(ServerReflectionRequestSchema, r);
    }
    const out: ServerReflectionResponse[] = [];
    for await (const res of client.serverReflectionInfo(input())) out.push(res);
    return out;
  }

  it("list_services names every registered service, including health and reflection", async () => {
    const [res] = await ask({ host: "h", messageRequest: { case: "listServices", value: "*" } });
    expect(res?.validHost).toBe("h");
    expect(res?.originalRequest?.messageRequest).toEqual({ case: "listServices", value: "*" });
    if (res?.messageResponse.case !== "listServicesResponse") throw new Error("expected a service list");
    expect(res.messageResponse.value.service.map((s) => s.name)).toEqual([
      Health.typeName,
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "test.echo.v1.EchoService",
    ]);
  });

  it("file_containing_symbol for a service returns its file and all transitive imports", async () => {
    const [res] = await ask({ messageRequest: { case: "fileContainingSymbol", value: "test.echo.v1.EchoService" } });
    const names = fileNames(res!);
    expect(names[0]).toBe("test/echo/v1/echo.proto");
    expect([...names].sort()).toEqual([
      "google/api/annotations.proto",
      "google/api/http.proto",
      "google/protobuf/descriptor.proto",
      "google/protobuf/empty.proto",
      "test/echo/v1/echo.proto",
    ]);
    // The bytes are complete enough for a client to rebuild the schema from them alone.
    const received = new Map(
      (res!.messageResponse.value as { fileDescriptorProto: Uint8Array[] }).fileDescriptorProto
        .map((b): FileDescriptorProto => fromBinary(FileDescriptorProtoSchema, b))
        .map((f) => [f.name, f]),
    );
    const rebuilt = createFileRegistry(received.get(names[0]!)!, (name) => received.get(name));
    expect(rebuilt.getService("test.echo.v1.EchoService")?.methods[0]?.output.typeName).toBe("google.protobuf.Empty");
    expect(rebuilt.getMessage("google.api.HttpRule")).toBeDefined();
  });

  it("file_containing_symbol resolves methods, nested types, enums, enum values and fields", async () => {
    const symbols = [
      "test.echo.v1.EchoService.Echo",
      "test.echo.v1.EchoRequest",
      "test.echo.v1.EchoRequest.Inner",
      "test.echo.v1.EchoRequest.Mode",
      "test.echo.v1.EchoRequest.MODE_UNSPECIFIED",
      "test.echo.v1.EchoRequest.text",
    ];
    const answers = await ask(...symbols.map((value): Request => ({ messageRequest: { case: "fileContainingSymbol", value } })));
    expect(answers.map((r) => fileNames(r)[0])).toEqual(symbols.map(() => "test/echo/v1/echo.proto"));
    const [health] = await ask({ messageRequest: { case: "fileContainingSymbol", value: "grpc.health.v1.Health" } });
    expect(fileNames(health!)).toEqual(["grpc/health/v1/health.proto"]);
  });

  it("file_by_filename answers with the file and its imports", async () => {
    const [health, annotations] = await ask(
      { messageRequest: { case: "fileByFilename", value: "grpc/health/v1/health.proto" } },
      { messageRequest: { case: "fileByFilename", value: "google/api/annotations.proto" } },
    );
    expect(fileNames(health!)).toEqual(["grpc/health/v1/health.proto"]);
    expect(fileNames(annotations!)).toEqual([
      "google/api/annotations.proto",
      "google/api/http.proto",
      "google/protobuf/descriptor.proto",
    ]);
  });

  it("unknown symbols and files get NOT_FOUND error responses and the stream goes on", async () => {
    const answers = await ask(
      { messageRequest: { case: "fileContainingSymbol", value: "no.such.Symbol" } },
      { messageRequest: { case: "fileByFilename", value: "grpc/health/v1/health" } }, // no ".proto"
      { messageRequest: { case: "listServices", value: "" } },
    );
    expect(errorOf(answers[0]!)).toEqual({ code: Code.NotFound, message: "symbol not found: no.such.Symbol" });
    expect(errorOf(answers[1]!).code).toBe(Code.NotFound);
    expect(answers[2]?.messageResponse.case).toBe("listServicesResponse");
  });

  it("answers extension queries from the descriptors", async () => {
    const [byExtension, unknownNumber, numbers, unknownType] = await ask(
      {
        messageRequest: {
          case: "fileContainingExtension",
          value: { containingType: METHOD_OPTIONS, extensionNumber: HTTP_EXTENSION_NUMBER },
        },
      },
      { messageRequest: { case: "fileContainingExtension", value: { containingType: METHOD_OPTIONS, extensionNumber: 1 } } },
      { messageRequest: { case: "allExtensionNumbersOfType", value: METHOD_OPTIONS } },
      { messageRequest: { case: "allExtensionNumbersOfType", value: "no.such.Message" } },
    );
    expect(fileNames(byExtension!)[0]).toBe("google/api/annotations.proto");
    expect(errorOf(unknownNumber!).code).toBe(Code.NotFound);
    expect(numbers?.messageResponse).toMatchObject({
      case: "allExtensionNumbersResponse",
      value: { baseTypeName: METHOD_OPTIONS, extensionNumber: [HTTP_EXTENSION_NUMBER] },
    });
    expect(errorOf(unknownType!).code).toBe(Code.NotFound);
  });

  it("a request with no question fails the stream with INVALID_ARGUMENT", async () => {
    const err = await ask({ host: "x" }).catch((e: unknown) => e);
    expect(ConnectError.from(err).code).toBe(Code.InvalidArgument);
  });

  it("serves v1alpha to a grpc-js client with the same answers", async () => {
    const grpcClient = new grpc.Client(address, grpc.credentials.createInsecure());
    try {
      const call = grpcClient.makeBidiStreamRequest(
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        (m: RequestMessageV1alpha) => Buffer.from(toBinary(RequestV1alpha, m)),
        (b: Buffer) => fromBinary(ResponseV1alpha, b),
      );
      const answers: ResponseMessageV1alpha[] = [];
      const done = new Promise<void>((resolve, reject) => {
        call.on("data", (res: ResponseMessageV1alpha) => answers.push(res));
        call.on("error", reject);
        call.on("end", resolve);
      });
      call.write(create(RequestV1alpha, { messageRequest: { case: "listServices", value: "" } }));
      call.write(create(RequestV1alpha, { messageRequest: { case: "fileContainingSymbol", value: "test.echo.v1.EchoRequest" } }));
      call.write(create(RequestV1alpha, { messageRequest: { case: "fileContainingSymbol", value: "nope.Nope" } }));
      call.end();
      await done;

      const [list, files, missing] = answers;
      expect(list?.$typeName).toBe("grpc.reflection.v1alpha.ServerReflectionResponse");
      if (list?.messageResponse.case !== "listServicesResponse") throw new Error("expected a service list");
      expect(list.messageResponse.value.service.map((s) => s.name)).toContain("grpc.reflection.v1alpha.ServerReflection");
      if (files?.messageResponse.case !== "fileDescriptorResponse") throw new Error("expected files");
      expect(files.messageResponse.value.fileDescriptorProto).toHaveLength(5);
      expect(files.originalRequest?.messageRequest).toEqual({ case: "fileContainingSymbol", value: "test.echo.v1.EchoRequest" });
      expect(missing?.messageResponse).toMatchObject({ case: "errorResponse", value: { errorCode: grpc.status.NOT_FOUND } });
    } finally {
      grpcClient.close();
    }
  });
});
