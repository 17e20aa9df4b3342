/**
 * A BudgetStore wrapper that fails on demand, for unit tests of settling: the next calls of a
 * method fail "down" (the store was not reached: nothing ran) or "lost" (the step ran, then the
 * reply was lost), with the given code. Counts calls per method. The store behind it is real.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { BudgetStore } from "../../server/store/budget-store.js";

type Method = keyof BudgetStore;
interface Planned {
  how: "down" | "lost";
  code: Code;
}

export class FlakyStore implements BudgetStore {
  readonly calls: Partial<Record<Method, number>> = {};
  readonly #plans = new Map<Method, Planned[]>();
  readonly #down = new Map<Method, Code>();

  constructor(readonly inner: BudgetStore) {}

  /** The next `times` calls of `method` fail. */
  fail(method: Method, times: number, how: "down" | "lost", code: Code = Code.Unavailable): void {
    const list = this.#plans.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push({ how, code });
    this.#plans.set(method, list);
  }

  /** Every later call of `method` fails "down" until heal(). */
  down(method: Method, code: Code = Code.Unavailable): void {
    this.#down.set(method, code);
  }

  heal(): void {
    this.#plans.clear();
    this.#down.clear();
  }

  async #run<T>(method: Method, step: () => Promise<T>): Promise<T> {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    const down = this.#down.get(method);
    const plan = down === undefined ? this.#plans.get(method)?.shift() : { how: "down" as const, code: down };
    if (!plan) return step();
    if (plan.how === "lost") await step();
    throw new ConnectError(`budget store unavailable: injected ${plan.how} on ${method}`, plan.code);
  }

  getPool: BudgetStore["getPool"] = (...a) => this.#run("getPool", () => this.inner.getPool(...a));
  listPools: BudgetStore["listPools"] = (...a) => this.#run("listPools", () => this.inner.listPools(...a));
  createPool: BudgetStore["createPool"] = (...a) => this.#run("createPool", () => this.inner.createPool(...a));
  updatePool: BudgetStore["updatePool"] = (...a) => this.#run("updatePool", () => this.inner.updatePool(...a));
  reserve: BudgetStore["reserve"] = (...a) => this.#run("reserve", () => this.inner.reserve(...a));
  commit: BudgetStore["commit"] = (...a) => this.#run("commit", () => this.inner.commit(...a));
  release: BudgetStore["release"] = (...a) => this.#run("release", () => this.inner.release(...a));
  getReservation: BudgetStore["getReservation"] = (...a) => this.#run("getReservation", () => this.inner.getReservation(...a));
  expire: BudgetStore["expire"] = (...a) => this.#run("expire", () => this.inner.expire(...a));
  charge: BudgetStore["charge"] = (...a) => this.#run("charge", () => this.inner.charge(...a));
  queryUsage: BudgetStore["queryUsage"] = (...a) => this.#run("queryUsage", () => this.inner.queryUsage(...a));
  usageReport: BudgetStore["usageReport"] = (...a) => this.#run("usageReport", () => this.inner.usageReport(...a));
}
