// `hoosh health [--server URL] [--service NAME]`: grpc.health.v1 Check; exit 1 unless SERVING.
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/ts/grpc/health/v1/health_pb.js";
import { parse } from "./args.js";
import { CLIENT_OPTIONS, clientFor } from "./client.js";

export async function health(args: string[]): Promise<void> {
  const { values } = parse(args, { ...CLIENT_OPTIONS, service: { type: "string" } }, []);
  const res = await clientFor(Health, values).check({ service: values.service ?? "" }, { timeoutMs: 5_000 });
  const status = HealthCheckResponse_ServingStatus[res.status];
  process.stdout.write(`${status}\n`);
  if (res.status !== HealthCheckResponse_ServingStatus.SERVING) process.exitCode = 1;
}
