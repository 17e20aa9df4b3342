import { describe, expect, it } from "vitest";
import { crossSectionIssues } from "../../server/config/cross-section.js";
import { parseConfig } from "../../server/config/index.js";
import { restartOnlyIssues } from "../../server/lifecycle/restart-only.js";

const config = (server: string, store = 'kind = "sqlite"\npath = "/tmp/hoosh-restart-only.db"') =>
  parseConfig(`[server]\n${server}\n[store]\n${store}\n`, { source: "t", env: {} });

describe("settings a reload cannot change", () => {
  it("names every changed listener or process setting, and nothing when they stay", () => {
    const running = config("port = 8088\nworkers = 2");
    expect(restartOnlyIssues(running, config("port = 8088\nworkers = 2\nshutdown_grace_ms = 5"))).toEqual([]);
    const issues = restartOnlyIssues(running, config('port = 9000\nworkers = "auto"'));
    expect(issues.map((i) => i.path)).toEqual(["server.port", "server.workers"]);
    expect(issues[1]!.message).toBe('changed from 2 to "auto"; this setting cannot change on reload, restart hoosh to apply it');
  });

  it("a --workers override makes a memory store refused again (what reload checks after overrides)", () => {
    const fromFile = config("workers = 1", 'kind = "memory"');
    expect(crossSectionIssues(fromFile)).toEqual([]);
    fromFile.server.workers = 2;
    expect(crossSectionIssues(fromFile).map((i) => i.path)).toEqual(["server.workers"]);
  });
});
