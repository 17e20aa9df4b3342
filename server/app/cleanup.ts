// What an app has started, stopped in the reverse order: the one path for a build that fails
// halfway (a reload keeps running the old app, so nothing may leak) and for app.close().
export class Cleanup {
  private readonly steps: (() => unknown)[] = [];

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  /** Runs every step, newest first, even when one fails; then throws the first failure. */
  async run(): Promise<void> {
    let first: unknown;
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }

  /** Runs `build`; if it throws, stops what was started so far and rethrows. */
  async guard<T>(build: () => Promise<T>): Promise<T> {
    try {
      return await build();
    } catch (err) {
      await this.run().catch(() => undefined);
      throw err;
    }
  }
}
