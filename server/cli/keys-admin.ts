// `hoosh keys create|list|revoke|rotate`: KeysService of a running hoosh (an admin key in
// --api-key / $HOOSH_API_KEY). create and rotate print the new secret once; the server keeps only its hash.
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { BudgetPeriod } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { KeysService, KeyState, type ApiKey } from "../../gen/ts/hoosh/v1/keys_pb.js";
import { parse, UsageError } from "./args.js";
import { CLIENT_OPTIONS, clientFor } from "./client.js";

const PERIODS: Record<string, BudgetPeriod> = {
  none: BudgetPeriod.NONE,
  hour: BudgetPeriod.HOURLY,
  hourly: BudgetPeriod.HOURLY,
  day: BudgetPeriod.DAILY,
  daily: BudgetPeriod.DAILY,
  month: BudgetPeriod.MONTHLY,
  monthly: BudgetPeriod.MONTHLY,
};

/** A whole number >= 0 given to a flag; UsageError naming the flag otherwise. */
export function count(value: string | undefined, flag: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag}: ${JSON.stringify(value)} is not a whole number >= 0`);
  return BigInt(value);
}

const list = (value: string | undefined) => (value === undefined ? [] : value.split(",").map((s) => s.trim()).filter(Boolean));
const iso = (t: Timestamp | undefined) => (t ? timestampDate(t).toISOString() : "-");

export function keyLine(k: ApiKey): string {
  const state = KeyState[k.state]?.toLowerCase() ?? "?";
  return `${k.id}\t${k.name}\tteam=${k.team || "-"}\tscopes=${k.scopes.join(",")}\tmodels=${k.models.join(",") || "*"}\t${state}\tlast_used=${iso(k.lastUsedTime)}`;
}

async function create(args: string[]): Promise<void> {
  const { values } = parse(
    args,
    {
      ...CLIENT_OPTIONS,
      name: { type: "string" },
      team: { type: "string" },
      scopes: { type: "string" },
      models: { type: "string" },
      "budget-tokens": { type: "string" },
      "budget-usd-micros": { type: "string" },
      "budget-pool": { type: "string" },
      period: { type: "string" },
      rpm: { type: "string" },
      tpm: { type: "string" },
    },
    [],
  );
  if (!values.name) throw new UsageError("keys create: --name is required");
  const tokens = count(values["budget-tokens"], "--budget-tokens");
  const usdMicros = count(values["budget-usd-micros"], "--budget-usd-micros");
  const period = PERIODS[values.period ?? "none"];
  if (period === undefined) throw new UsageError(`--period: ${JSON.stringify(values.period)} is not one of: ${Object.keys(PERIODS).join(", ")}`);
  const budget = tokens !== undefined || usdMicros !== undefined || values["budget-pool"] ? { tokens, usdMicros, period, pool: values["budget-pool"] ?? "" } : undefined;
  const rpm = count(values.rpm, "--rpm");
  const tpm = count(values.tpm, "--tpm");
  const scopes = list(values.scopes);
  const res = await clientFor(KeysService, values).createKey({
    key: {
      name: values.name,
      team: values.team ?? "",
      scopes: scopes.length ? scopes : ["inference"],
      models: list(values.models),
      limits: { rpm: rpm === undefined ? undefined : Number(rpm), tpm: tpm === undefined ? undefined : Number(tpm) },
      budget,
    },
  });
  process.stdout.write(`${keyLine(res.key!)}\n`);
  // The one time the secret is shown: on its own line, so scripts can take it.
  process.stdout.write(`secret: ${res.secret}\n`);
}

async function listKeys(args: string[]): Promise<void> {
  const { values } = parse(args, { ...CLIENT_OPTIONS, team: { type: "string" }, all: { type: "boolean" } }, []);
  const { keys } = await clientFor(KeysService, values).listKeys({ team: values.team ?? "", includeRevoked: values.all ?? false });
  for (const k of keys) process.stdout.write(`${keyLine(k)}\n`);
}

async function revoke(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { ...CLIENT_OPTIONS }, ["ID"]);
  const { key } = await clientFor(KeysService, values).revokeKey({ id: positionals[0]! });
  process.stdout.write(`${keyLine(key!)}\n`);
}

async function rotate(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { ...CLIENT_OPTIONS, grace: { type: "string" } }, ["ID"]);
  const grace = count(values.grace, "--grace");
  const res = await clientFor(KeysService, values).rotateKey({ id: positionals[0]!, gracePeriod: grace === undefined ? undefined : { seconds: grace, nanos: 0 } });
  process.stdout.write(`${keyLine(res.key!)}\n`);
  process.stdout.write(`previous secret valid until: ${iso(res.key!.previousSecretExpireTime)}\n`);
  process.stdout.write(`secret: ${res.secret}\n`);
}

export const KEY_COMMANDS: Record<string, (args: string[]) => Promise<void>> = { create, list: listKeys, revoke, rotate };
