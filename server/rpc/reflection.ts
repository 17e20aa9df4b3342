import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescEnum, DescExtension, DescFile, DescMessage, DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ConnectRouter } from "@connectrpc/connect";

import {
  ErrorResponseSchema,
  ExtensionNumberResponseSchema,
  FileDescriptorResponseSchema,
  ListServiceResponseSchema,
  ServerReflection,
  ServerReflectionRequestSchema,
  ServerReflectionResponseSchema,
} from "../../gen/ts/grpc/reflection/v1/reflection_pb.js";
import type {
  ServerReflectionRequest,
  ServerReflectionResponse,
} from "../../gen/ts/grpc/reflection/v1/reflection_pb.js";
import {
  ServerReflection as ServerReflectionV1alpha,
  ServerReflectionRequestSchema as RequestSchemaV1alpha,
  ServerReflectionResponseSchema as ResponseSchemaV1alpha,
} from "../../gen/ts/grpc/reflection/v1alpha/reflection_pb.js";

export interface ReflectionOptions {
  /** Services to advertise. Services registered on the router are added too. */
  services: DescService[];
  /** Extra files to make resolvable (e.g. ones only holding extensions). */
  files?: DescFile[];
}

/** What a fully-qualified name resolves to; only messages can be extended. */
interface SymbolEntry {
  file: DescFile;
  isMessage: boolean;
}

/** Lookup tables over a set of files and all their transitive imports. */
interface DescriptorIndex {
  serviceNames: string[];
  files: Map<string, DescFile>; // by proto file name, with ".proto"
  symbols: Map<string, SymbolEntry>;
  extensions: Map<string, Map<number, DescFile>>; // extendee type name → number → file
}

function buildIndex(services: Iterable<DescService>, extraFiles: Iterable<DescFile>): DescriptorIndex {
  const index: DescriptorIndex = {
    serviceNames: [],
    files: new Map(),
    symbols: new Map(),
    extensions: new Map(),
  };
  const addSymbol = (name: string, file: DescFile, isMessage = false): void => {
    if (!index.symbols.has(name)) index.symbols.set(name, { file, isMessage });
  };
  const addExtension = (ext: DescExtension, file: DescFile): void => {
    addSymbol(ext.typeName, file);
    let byNumber = index.extensions.get(ext.extendee.typeName);
    if (byNumber === undefined) {
      byNumber = new Map();
      index.extensions.set(ext.extendee.typeName, byNumber);
    }
    if (!byNumber.has(ext.number)) byNumber.set(ext.number, file);
  };
  const addEnum = (desc: DescEnum, file: DescFile): void => {
    addSymbol(desc.typeName, file);
    // Enum values are siblings of their enum in protobuf scoping (C++ rules).
    const scope = desc.parent?.typeName ?? file.proto.package;
    for (const value of desc.values) addSymbol(scope === "" ? value.name : `${scope}.${value.name}`, file);
  };
  const addMessage = (desc: DescMessage, file: DescFile): void => {
    addSymbol(desc.typeName, file, true);
    for (const field of desc.fields) addSymbol(`${desc.typeName}.${field.name}`, file);
    for (const oneof of desc.oneofs) addSymbol(`${desc.typeName}.${oneof.name}`, file);
    for (const nested of desc.nestedMessages) addMessage(nested, file);
    for (const nested of desc.nestedEnums) addEnum(nested, file);
    for (const ext of desc.nestedExtensions) addExtension(ext, file);
  };
  const addFile = (file: DescFile): void => {
    if (index.files.has(file.proto.name)) return;
    index.files.set(file.proto.name, file);
    for (const service of file.services) {
      addSymbol(service.typeName, file);
      for (const method of service.methods) addSymbol(`${service.typeName}.${method.name}`, file);
    }
    for (const message of file.messages) addMessage(message, file);
    for (const desc of file.enums) addEnum(desc, file);
    for (const ext of file.extensions) addExtension(ext, file);
    for (const dep of file.dependencies) addFile(dep);
  };

  const seen = new Set<string>();
  for (const service of services) {
    if (seen.has(service.typeName)) continue;
    seen.add(service.typeName);
    index.serviceNames.push(service.typeName);
    addFile(service.file);
  }
  for (const file of extraFiles) addFile(file);
  index.serviceNames.sort();
  return index;
}

/** The file first, then every file it imports transitively, each once. */
function withDependencies(file: DescFile): DescFile[] {
  const out: DescFile[] = [];
  const seen = new Set<string>();
  const queue = [file];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (seen.has(next.proto.name)) continue;
    seen.add(next.proto.name);
    out.push(next);
    queue.push(...next.dependencies);
  }
  return out;
}

type Answer = ServerReflectionResponse["messageResponse"];

// Errors travel in the stream as ErrorResponse so the client can keep asking.
function notFound(message: string): Answer {
  return { case: "errorResponse", value: create(ErrorResponseSchema, { errorCode: Code.NotFound, errorMessage: message }) };
}

/**
 * Answers one reflection request. `serialize` caches the FileDescriptorProto
 * bytes per file; `index` is rebuilt when the router gains handlers.
 */
function answer(
  req: ServerReflectionRequest,
  index: DescriptorIndex,
  serialize: (file: DescFile) => Uint8Array,
): ServerReflectionResponse {
  const files = (file: DescFile): Answer => ({
    case: "fileDescriptorResponse",
    value: create(FileDescriptorResponseSchema, { fileDescriptorProto: withDependencies(file).map(serialize) }),
  });
  let messageResponse: Answer;
  const request = req.messageRequest;
  switch (request.case) {
    case "listServices":
      messageResponse = {
        case: "listServicesResponse",
        value: create(ListServiceResponseSchema, { service: index.serviceNames.map((name) => ({ name })) }),
      };
      break;
    case "fileByFilename": {
      const file = index.files.get(request.value);
      messageResponse = file ? files(file) : notFound(`file not found: ${request.value}`);
      break;
    }
    case "fileContainingSymbol": {
      const entry = index.symbols.get(request.value);
      messageResponse = entry ? files(entry.file) : notFound(`symbol not found: ${request.value}`);
      break;
    }
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = request.value;
      const file = index.extensions.get(containingType)?.get(extensionNumber);
      messageResponse = file
        ? files(file)
        : notFound(`extension not found: ${containingType} field ${extensionNumber}`);
      break;
    }
    case "allExtensionNumbersOfType": {
      const entry = index.symbols.get(request.value);
      messageResponse =
        entry?.isMessage === true
          ? {
              case: "allExtensionNumbersResponse",
              value: create(ExtensionNumberResponseSchema, {
                baseTypeName: request.value,
                extensionNumber: [...(index.extensions.get(request.value)?.keys() ?? [])].sort((a, b) => a - b),
              }),
            }
          : notFound(`message type not found: ${request.value}`);
      break;
    }
    default:
      // Same as grpc-go: a request with no recognised question ends the stream.
      throw new ConnectError("invalid message_request: none set", Code.InvalidArgument);
  }
  return create(ServerReflectionResponseSchema, { validHost: req.host, originalRequest: req, messageResponse });
}

/**
 * Registers gRPC server reflection v1 and v1alpha (grpcurl and ghz try v1,
 * then v1alpha) answering from protobuf-es descriptors.
 */
export function registerReflection(router: ConnectRouter, options: ReflectionOptions): ConnectRouter {
  const bytes = new WeakMap<DescFile, Uint8Array>();
  const serialize = (file: DescFile): Uint8Array => {
    let out = bytes.get(file);
    if (out === undefined) {
      out = toBinary(FileDescriptorProtoSchema, file.proto);
      bytes.set(file, out);
    }
    return out;
  };

  // Read the router lazily: services registered after this call still show up.
  let cached: { handlerCount: number; index: DescriptorIndex } | undefined;
  const currentIndex = (): DescriptorIndex => {
    if (cached === undefined || cached.handlerCount !== router.handlers.length) {
      const services = [
        ...options.services,
        ...router.handlers.map((h) => h.service),
        ServerReflection,
        ServerReflectionV1alpha,
      ];
      cached = { handlerCount: router.handlers.length, index: buildIndex(services, options.files ?? []) };
    }
    return cached.index;
  };

  const respond = (req: ServerReflectionRequest): ServerReflectionResponse =>
    answer(req, currentIndex(), serialize);

  router.service(ServerReflection, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) yield respond(req);
    },
  });
  router.service(ServerReflectionV1alpha, {
    async *serverReflectionInfo(requests) {
      // v1alpha is wire-identical to v1: re-read each message in the other schema.
      for await (const req of requests) {
        const res = respond(fromBinary(ServerReflectionRequestSchema, toBinary(RequestSchemaV1alpha, req)));
        yield fromBinary(ResponseSchemaV1alpha, toBinary(ServerReflectionResponseSchema, res));
      }
    },
  });
  return router;
}
