// `hoosh models [--server URL]`: the models a running hoosh routes to.
import { Capability, HealthState, Locality, ModelsService } from "../../gen/ts/hoosh/v1/models_pb.js";
import { parse } from "./args.js";
import { clientFor, serverUrl } from "./client.js";

export async function models(args: string[]): Promise<void> {
  const { values } = parse(args, { server: { type: "string" } }, []);
  const { models } = await clientFor(ModelsService, serverUrl(values.server)).listModels({});
  const rows = models.map((m) => [
    m.id,
    m.provider,
    Locality[m.locality].toLowerCase(),
    m.capabilities.map((c) => Capability[c].toLowerCase()).join(","),
    HealthState[m.health].toLowerCase() + (m.healthReason ? ` (${m.healthReason})` : ""),
  ]);
  printTable(["MODEL", "PROVIDER", "WHERE", "CAPABILITIES", "HEALTH"], rows);
  if (rows.length === 0) process.stdout.write("(no models: configure providers with literal model ids or reachable upstreams)\n");
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()}\n`);
}
