// Errors as google.rpc.Status JSON: the gRPC code → HTTP status table
// (grpc-gateway's), Retry-After / x-request-id from metadata, details as Any JSON.
import { create, createRegistry } from "@bufbuild/protobuf";
import { DurationSchema, file_google_protobuf_duration, StructSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { httpError } from "../../server/rest/transcode/status.js";

const registry = createRegistry(file_google_protobuf_duration);

describe("httpError", () => {
  it.each([
    [Code.InvalidArgument, 400], [Code.FailedPrecondition, 400], [Code.OutOfRange, 400], [Code.Unauthenticated, 401],
    [Code.PermissionDenied, 403], [Code.NotFound, 404], [Code.AlreadyExists, 409], [Code.Aborted, 409],
    [Code.ResourceExhausted, 429], [Code.Canceled, 499], [Code.Unimplemented, 501], [Code.Unavailable, 503],
    [Code.DeadlineExceeded, 504], [Code.Unknown, 500], [Code.Internal, 500], [Code.DataLoss, 500],
  ])("maps code %i to HTTP %i", (code, status) => {
    const e = httpError(new ConnectError("boom", code), registry);
    expect(e).toEqual({ status, headers: {}, body: { code, message: "boom", details: [] } });
  });

  it("copies Retry-After and x-request-id, and renders details as Any JSON", () => {
    const err = new ConnectError("slow down", Code.ResourceExhausted, { "retry-after": "7", "x-request-id": "r1", secret: "no" }, [
      { desc: DurationSchema, value: { seconds: 2n } },
      { desc: StructSchema, value: create(StructSchema, { fields: {} }) },
    ]);
    err.details.push({ type: "google.protobuf.Duration", value: new Uint8Array([8, 3]) }, { type: "x.Unknown", value: new Uint8Array([1, 2]) });
    expect(httpError(err, registry)).toEqual({
      status: 429,
      headers: { "retry-after": "7", "x-request-id": "r1" },
      body: {
        code: Code.ResourceExhausted,
        message: "slow down",
        details: [
          { "@type": "type.googleapis.com/google.protobuf.Duration", value: "2s" },
          { "@type": "type.googleapis.com/google.protobuf.Struct", value: {} },
          { "@type": "type.googleapis.com/google.protobuf.Duration", value: "3s" },
          { "@type": "type.googleapis.com/x.Unknown", value: "AQI=" },
        ],
      },
    });
  });

  it("turns foreign errors into 500 and honours an explicit status", () => {
    expect(httpError(new Error("bug"), registry)).toMatchObject({ status: 500, body: { code: Code.Unknown, message: "bug" } });
    expect(httpError(new ConnectError("too big", Code.ResourceExhausted), registry, 413).status).toBe(413);
  });
});
