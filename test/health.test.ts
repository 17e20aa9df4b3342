import http2 from "node:http2";
import type { AddressInfo } from "node:net";

import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import {
  Health,
  HealthCheckRequestSchema,
  HealthCheckResponse_ServingStatus as Wire,
  HealthCheckResponseSchema,
} from "../gen/ts/grpc/health/v1/health_pb.js";
import type { HealthCheckRequest, HealthCheckResponse } from "../gen/ts/grpc/health/v1/health_pb.js";
import { HealthStatus } from "../server/core/health-status.js";
import { registerHealth } from "../server/rpc/health.js";

// grpc-js client built from protobuf-es serializers: a real gRPC stack, no proto-loader.
const grpcHealthDefinition = {
  check: {
    path: "/grpc.health.v1.Health/Check",
    requestStream: false,
    responseStream: false,
    requestSerialize: (m: HealthCheckRequest) => Buffer.from(toBinary(HealthCheckRequestSchema, m)),
    requestDeserialize: (b: Buffer) => fromBinary(HealthCheckRequestSchema, b),
    responseSerialize: (m: HealthCheckResponse) => Buffer.from(toBinary(HealthCheckResponseSchema, m)),
    responseDeserialize: (b: Buffer) => fromBinary(HealthCheckResponseSchema, b),
  },
  watch: {
    path: "/grpc.health.v1.Health/Watch",
    requestStream: false,
    responseStream: true,
    requestSerialize: (m: HealthCheckRequest) => Buffer.from(toBinary(HealthCheckRequestSchema, m)),
    requestDeserialize: (b: Buffer) => fromBinary(HealthCheckRequestSchema, b),
    responseSerialize: (m: HealthCheckResponse) => Buffer.from(toBinary(HealthCheckResponseSchema, m)),
    responseDeserialize: (b: Buffer) => fromBinary(HealthCheckResponseSchema, b),
  },
} satisfies grpc.ServiceDefinition;
const GrpcHealthClient = grpc.makeGenericClientConstructor(grpcHealthDefinition, "Health");

interface Harness {
  status: HealthStatus;
  server: http2.Http2Server;
  address: string;
  sessions: Http2SessionManager;
  client: Client<typeof Health>;
}

async function start(): Promise<Harness> {
  const status = new HealthStatus([
    ["", "SERVING"],
    ["hoosh.v1.InferenceService", "SERVING"],
  ]);
  const server = http2.createServer(connectNodeAdapter({ routes: (router) => registerHealth(router, status) }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Own the session manager so the test can close it before server.close().
  const sessions = new Http2SessionManager(`http://${address}`);
  const transport = createGrpcTransport({ baseUrl: `http://${address}`, sessionManager: sessions });
  return { status, server, address, sessions, client: createClient(Health, transport) };
}

async function stop(h: Harness): Promise<void> {
  h.sessions.abort();
  await new Promise<void>((resolve, reject) => h.server.close((err) => (err ? reject(err) : resolve())));
}

/** Polls until `predicate` holds; the server side of a cancel is asynchronous. */
async function eventually(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("grpc.health.v1.Health", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await start();
  });
  afterEach(async () => {
    await stop(h);
  });

  it("Check reports SERVING for the server and a known service", async () => {
    expect((await h.client.check({ service: "" })).status).toBe(Wire.SERVING);
    expect((await h.client.check({ service: "hoosh.v1.InferenceService" })).status).toBe(Wire.SERVING);
    h.status.set("hoosh.v1.InferenceService", "NOT_SERVING");
    expect((await h.client.check({ service: "hoosh.v1.InferenceService" })).status).toBe(Wire.NOT_SERVING);
  });

  it("Check of an unknown service fails with NOT_FOUND", async () => {
    const err = await h.client.check({ service: "no.such.Service" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.NotFound);
  });

  it("answers a grpc-js client (SERVING and NOT_FOUND)", async () => {
    const client = new GrpcHealthClient(h.address, grpc.credentials.createInsecure());
    const call = (service: string) =>
      new Promise<HealthCheckResponse>((resolve, reject) => {
        client.makeUnaryRequest(
          grpcHealthDefinition.check.path,
          grpcHealthDefinition.check.requestSerialize,
          grpcHealthDefinition.check.responseDeserialize,
          { $typeName: "grpc.health.v1.HealthCheckRequest", service },
          (err, res) => (err ? reject(err) : resolve(res!)),
        );
      });
    try {
      expect((await call("")).status).toBe(Wire.SERVING);
      const err = (await call("nope").catch((e: unknown) => e)) as grpc.ServiceError;
      expect(err.code).toBe(grpc.status.NOT_FOUND);
    } finally {
      client.close();
    }
  });

  it("a grpc-js Watch gets pushed changes and its cancel reaches the server", async () => {
    const client = new GrpcHealthClient(h.address, grpc.credentials.createInsecure());
    try {
      const call = client.makeServerStreamRequest(
        grpcHealthDefinition.watch.path,
        grpcHealthDefinition.watch.requestSerialize,
        grpcHealthDefinition.watch.responseDeserialize,
        { $typeName: "grpc.health.v1.HealthCheckRequest", service: "" },
      );
      const received: Wire[] = [];
      const ended = new Promise<grpc.ServiceError>((resolve) => call.on("error", resolve));
      call.on("data", (res: HealthCheckResponse) => {
        received.push(res.status);
        if (received.length === 1) h.status.set("", "NOT_SERVING");
        if (received.length === 2) call.cancel();
      });
      expect((await ended).code).toBe(grpc.status.CANCELLED);
      expect(received).toEqual([Wire.SERVING, Wire.NOT_SERVING]);
      await eventually(() => h.status.listenerCount === 0);
    } finally {
      client.close();
    }
  });

  it("List returns every known service", async () => {
    const res = await h.client.list({});
    expect(Object.keys(res.statuses).sort()).toEqual(["", "hoosh.v1.InferenceService"]);
    expect(res.statuses[""]?.status).toBe(Wire.SERVING);
  });

  it("Watch sends the current status, then changes made after it started", async () => {
    const abort = new AbortController();
    const stream = h.client.watch({ service: "hoosh.v1.InferenceService" }, { signal: abort.signal });
    const it = stream[Symbol.asyncIterator]();
    expect((await it.next()).value?.status).toBe(Wire.SERVING);

    h.status.set("hoosh.v1.InferenceService", "NOT_SERVING");
    expect((await it.next()).value?.status).toBe(Wire.NOT_SERVING);
    h.status.set("hoosh.v1.InferenceService", "SERVING");
    expect((await it.next()).value?.status).toBe(Wire.SERVING);

    abort.abort();
    await it.next().catch(() => undefined);
    await eventually(() => h.status.listenerCount === 0);
  });

  it("Watch of an unknown service sends SERVICE_UNKNOWN and stays open until it appears", async () => {
    const abort = new AbortController();
    const it = h.client.watch({ service: "late.Service" }, { signal: abort.signal })[Symbol.asyncIterator]();
    expect((await it.next()).value?.status).toBe(Wire.SERVICE_UNKNOWN);
    h.status.set("late.Service", "SERVING");
    expect((await it.next()).value?.status).toBe(Wire.SERVING);
    abort.abort();
    await it.next().catch(() => undefined);
  });

  it("a cancelled Watch ends on the server and removes its listener", async () => {
    const abort = new AbortController();
    const it = h.client.watch({ service: "" }, { signal: abort.signal })[Symbol.asyncIterator]();
    expect((await it.next()).value?.status).toBe(Wire.SERVING);
    expect(h.status.listenerCount).toBe(1);

    abort.abort();
    const err = await it.next().catch((e: unknown) => e);
    expect(ConnectError.from(err).code).toBe(Code.Canceled);
    // The server's handler signal fires on the stream reset; the generator must unwind.
    await eventually(() => h.status.listenerCount === 0);
  });
});

describe("HealthStatus", () => {
  it("notifies only on a real change and unsubscribes cleanly", () => {
    const status = new HealthStatus();
    const seen: string[] = [];
    const off = status.subscribe("", (s) => seen.push(s));
    status.set("", "SERVING"); // unchanged from the default
    status.set("", "NOT_SERVING");
    off();
    status.set("", "SERVING");
    expect(seen).toEqual(["NOT_SERVING"]);
    expect(status.listenerCount).toBe(0);
  });
});
