// A real app (gRPC, Connect and the OpenAI REST edge on one loopback port) in front of the fake
// OpenAI upstream process, for the speech tests of openai-type providers.
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { afterAll, beforeAll } from "vitest";
import { buildApp, type App } from "../../server/app.js";
import { parseConfig } from "../../server/config/index.js";
import { listen } from "../../server/listen.js";
import { chain } from "../../server/rest/handler.js";
import { createOpenAINotFound, createOpenAIRest } from "../../server/rest/openai/index.js";
import { notFoundFallback } from "../../server/rpc/fallback.js";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/spawn.js";

export interface OpenAIApp {
  fake: FakeOpenAI;
  app: App;
  url: string;
  close(): Promise<void>;
}

/** `config(baseUrl)`: the TOML, given the fake's base URL. */
export async function startOpenAIApp(source: string, config: (baseUrl: string) => string): Promise<OpenAIApp> {
  const fake = await startFakeOpenAI();
  const app = await buildApp(parseConfig(config(fake.baseUrl), { source, env: {} }), { source });
  const handler = connectNodeAdapter({ routes: app.routes, fallback: chain([createOpenAIRest(app.restDeps), createOpenAINotFound(app.restDeps)], notFoundFallback) });
  const listener = await listen(handler, "127.0.0.1", 0);
  return {
    fake,
    app,
    url: `http://127.0.0.1:${listener.port}`,
    close: async () => {
      await listener.close(0);
      await app.close();
      await fake.stop();
    },
  };
}

/**
 * For a test file: starts the app before its tests (the provider tables given, and a "default"
 * budget pool of 100,000), closes it after; the returned object is filled in by then.
 */
export function useOpenAIApp(source: string, providers: (baseUrl: string) => string): OpenAIApp {
  const ref = {} as OpenAIApp;
  beforeAll(async () => {
    Object.assign(ref, await startOpenAIApp(source, (baseUrl) => `${providers(baseUrl)}\n[[budgets]]\nname = "default"\ncapacity = 100000\n`));
  });
  afterAll(async () => {
    await ref.close?.();
  });
  return ref;
}
