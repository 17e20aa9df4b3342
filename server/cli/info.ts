// `hoosh info [--server URL]`: the hardware a running hoosh detected, readably.
import { AcceleratorKind, HardwareService } from "../../gen/ts/hoosh/v1/hardware_pb.js";
import { parse } from "./args.js";
import { CLIENT_OPTIONS, clientFor } from "./client.js";

const gib = (bytes: bigint | number) => `${(Number(bytes) / 2 ** 30).toFixed(1)} GiB`;

export async function info(args: string[]): Promise<void> {
  const { values } = parse(args, { ...CLIENT_OPTIONS }, []);
  const { hardware: hw } = await clientFor(HardwareService, values).getHardware({ refresh: true });
  const out: string[] = [];
  const cpu = hw?.cpu;
  out.push(`CPU     ${cpu?.model || "unknown"} (${cpu?.architecture || "?"}), ${cpu?.physicalCores ?? 0} cores / ${cpu?.logicalCores ?? 0} threads`);
  if (cpu?.flags.length) out.push(`        flags: ${cpu.flags.join(" ")}`);
  out.push(`Memory  ${gib(hw?.memory?.freeBytes ?? 0)} free of ${gib(hw?.memory?.totalBytes ?? 0)}`);
  if (!hw?.accelerators.length) out.push("GPU     none detected");
  for (const a of hw?.accelerators ?? []) {
    out.push(
      `GPU ${a.index}   ${a.vendor} ${a.name} [${AcceleratorKind[a.kind].toLowerCase()}], VRAM ${gib(a.vramFreeBytes)} free of ${gib(a.vramTotalBytes)}${a.driver ? `, driver ${a.driver}` : ""}`,
    );
  }
  if (!hw?.detectionComplete) out.push("(detection still running: figures above are the instant ones)");
  process.stdout.write(`${out.join("\n")}\n`);
}
