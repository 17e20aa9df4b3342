// `hoosh config check FILE`: validate a config file without starting anything.
import { buildApp } from "../app.js";
import { loadConfigFile } from "../config/index.js";
import { layout, threadPoolSize } from "../engines/llm/threads.js";
import { parse } from "./args.js";

export async function configCheck(args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, ["FILE"]);
  const file = positionals[0]!;
  const config = await loadConfigFile(file, process.env);
  // Building the app checks what the schema cannot (e.g. adapters available), then is dropped.
  await (await buildApp(config, { source: file })).close();
  const enabled = config.providers.filter((p) => p.enabled);
  process.stdout.write(`${file}: ok (${enabled.length} of ${config.providers.length} providers enabled, ${config.budgets.length} budgets, listens on ${config.server.bind}:${config.server.port})\n`);
  // What "auto" resolves to on this machine and in this process (cores, libuv pool): the layout
  // `hoosh serve` started the same way would use.
  for (const p of enabled) {
    if (!p.local) continue;
    const [threads, contexts] = layout(p.local.threads, p.local.contexts, p.local.sequences);
    process.stdout.write(
      `  ${p.name}: ${p.local.sequences} sequence${p.local.sequences === 1 ? "" : "s"} in ${contexts} context${contexts === 1 ? "" : "s"} of ${threads} thread${threads === 1 ? "" : "s"} (libuv pool ${threadPoolSize()})\n`,
    );
  }
}
