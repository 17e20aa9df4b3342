// Crash classes the fuzzers found in server code and not yet fixed (none at present).
// The "hostile upstream" properties tolerate exactly these (so new crash classes still fail), and
// known-bugs.test.ts pins one minimal counterexample per class with it.fails: when a class is fixed,
// its it.fails test starts failing — delete that test and the entry below.

export interface KnownBug {
  id: string;
  /** Where it bites: inside the translator, or when the gRPC/Connect layer serialises its events. */
  stage: "translate" | "serialize" | "parse";
  matches: (err: Error) => boolean;
}

const frame = (err: Error, file: RegExp) => file.test(err.stack ?? "");

// Every class the fuzzers found has been fixed (see known-bugs.test.ts for the regression
// cases): the properties tolerate no crash at all. A new class goes here only while it is open.
export const KNOWN_BUGS: KnownBug[] = [];

export function knownBug(stage: KnownBug["stage"], err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  return KNOWN_BUGS.find((b) => b.stage === stage && b.matches(err))?.id;
}
