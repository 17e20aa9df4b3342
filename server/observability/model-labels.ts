// Bounded label values for the model label: metrics must not grow a new time
// series for every string a caller sends. Literal model ids from the config
// (provider `models` entries without glob characters, alias names) always keep
// their own value; any other model gets its own value only while fewer than
// `cap` such values have been seen, and "other" afterwards. Values are also
// cut to 128 characters.
const GLOB = /[*?[\]{}!]/;
const MAX_LENGTH = 128;

export const OTHER = "other";

export class ModelLabels {
  private readonly known = new Set<string>();
  private readonly admitted = new Set<string>();

  constructor(
    literalIds: Iterable<string>,
    private readonly cap = 200,
  ) {
    for (const id of literalIds) if (!GLOB.test(id)) this.known.add(id.slice(0, MAX_LENGTH));
  }

  label(model: string): string {
    if (model === "") return "";
    const value = model.slice(0, MAX_LENGTH);
    if (this.known.has(value) || this.admitted.has(value)) return value;
    if (this.admitted.size >= this.cap) return OTHER;
    this.admitted.add(value);
    return value;
  }
}

/** Literal ids a config names: provider model entries that are not globs, and alias names and targets. */
export function configuredModelIds(config: {
  providers: readonly { models: readonly string[] }[];
  aliases: Readonly<Record<string, string | readonly string[]>>;
}): string[] {
  const ids = config.providers.flatMap((p) => p.models);
  for (const [alias, target] of Object.entries(config.aliases)) ids.push(alias, ...(typeof target === "string" ? [target] : target));
  return ids.filter((id) => !GLOB.test(id));
}
