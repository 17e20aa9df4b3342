// The console tests' config (fixture.ts) with pocketsphinx and flite in-process, and a fake upstream
// whose models are listed by name (fake-500 fails), for the Speech and Firefox tests.
import { config } from "./fixture.js";

export function speechConfig(fakeBaseUrl: string, extra = ""): string {
  const base = config(fakeBaseUrl);
  const models = `models = ["fake-model", "fake-long-stream", "*"]`;
  // With its "*" the fake would catch the speech models before their engines do: list its models by name.
  if (!base.includes(models)) throw new Error("fixture.ts's fake provider changed: update speechConfig");
  return base.replace(models, `models = ["fake-model", "fake-long-stream", "fake-500"]`).concat(`
[[providers]]
name = "sphinx"
type = "pocketsphinx"
models = ["pocketsphinx-en"]

[[providers]]
name = "tts"
type = "flite"
models = ["flite"]
${extra}`);
}
