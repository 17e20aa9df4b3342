// Walking zod schemas by their defs: the one copy shared by the config errors (config/issues.ts)
// and the REST body errors (rest/body-issues.ts), which both find the schema at an issue's path.
import type { z } from "zod";

export type Schema = z.core.$ZodType;

/** The zod def fields these walkers read; everything else is ignored. */
export interface WalkDef {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
  entries?: Record<string, string | number>;
}

export const defOf = (s: Schema): WalkDef => s._zod.def as unknown as WalkDef;

/** Strips default/prefault/optional/nullable/pipe wrappers. */
export function unwrap(s: Schema): Schema {
  let cur = s;
  for (let i = 0; i < 20; i++) {
    const d = defOf(cur);
    const next = d.innerType ?? (d.type === "pipe" ? d.in : undefined);
    if (!next) break;
    cur = next;
  }
  return cur;
}
