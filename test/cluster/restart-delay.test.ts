// The primary's restart delay after a worker dies: doubling from 100 ms, capped at 10 s.
import { expect, it } from "vitest";
import { restartDelayMs } from "../../server/cluster/primary.js";

it("doubles from 100 ms per death in a row and stops at 10 s", () => {
  expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(restartDelayMs)).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]);
});
