// `hoosh config check FILE`: validate a config file without starting anything.
import { buildApp } from "../app.js";
import { loadConfigFile } from "../config/index.js";
import { parse } from "./args.js";

export async function configCheck(args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, ["FILE"]);
  const file = positionals[0]!;
  const config = await loadConfigFile(file, process.env);
  // Building the app checks what the schema cannot (e.g. adapters available), then is dropped.
  await (await buildApp(config, { source: file })).close();
  const enabled = config.providers.filter((p) => p.enabled).length;
  process.stdout.write(`${file}: ok (${enabled} of ${config.providers.length} providers enabled, ${config.budgets.length} budgets, listens on ${config.server.bind}:${config.server.port})\n`);
}
