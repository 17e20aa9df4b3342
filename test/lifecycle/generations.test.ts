// Generations: each request stays on the generation current when it arrived;
// a retired generation's app closes only after its last request is done.
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import type { App } from "../../server/app.js";
import { Generations } from "../../server/lifecycle/generations.js";
import type { RequestHandler } from "../../server/listen.js";

function fakeApp(name: string, closed: string[]): App {
  return { config: {}, close: async () => void closed.push(name) } as unknown as App;
}
const res = () => Object.assign(new EventEmitter(), { statusCode: 200, end() {} });
type Req = Parameters<RequestHandler>[0];
type Res = Parameters<RequestHandler>[1];

describe("Generations", () => {
  it("routes by generation and closes a retired app once idle", async () => {
    const closed: string[] = [];
    const seen: string[] = [];
    const gens = new Generations();
    const handler = (name: string): RequestHandler => () => void seen.push(name);
    gens.install(fakeApp("old", closed), handler("old"));

    const inFlight = res();
    gens.handler({} as Req, inFlight as unknown as Res);
    gens.install(fakeApp("new", closed), handler("new"));
    gens.handler({} as Req, res() as unknown as Res);
    expect(seen).toEqual(["old", "new"]);
    expect(gens.retiredInFlight()).toBe(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(closed).toEqual([]); // old still has a request in flight

    inFlight.emit("close");
    await new Promise((r) => setTimeout(r, 10));
    expect(closed).toEqual(["old"]);
    await gens.closeAll();
    expect(closed).toEqual(["old", "new"]);
  });

  it("closes an idle retired app at once", async () => {
    const closed: string[] = [];
    const gens = new Generations();
    gens.install(fakeApp("a", closed), () => {});
    gens.install(fakeApp("b", closed), () => {});
    await new Promise((r) => setTimeout(r, 10));
    expect(closed).toEqual(["a"]);
  });
});
