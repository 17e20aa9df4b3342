/**
 * Serving status of the process and of each service it hosts, independent of
 * any wire protocol (the gRPC health service reads it; so can a REST probe).
 *
 * The service name "" stands for the server as a whole.
 */
export type ServingStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING";

/** Called with the new status of one service name after it changed. */
export type HealthListener = (status: ServingStatus) => void;

export class HealthStatus {
  readonly #statuses = new Map<string, ServingStatus>();
  readonly #listeners = new Map<string, Set<HealthListener>>();

  /** Starts with the overall status "" SERVING, like grpc-go's health server. */
  constructor(initial: Iterable<readonly [string, ServingStatus]> = [["", "SERVING"]]) {
    for (const [service, status] of initial) this.#statuses.set(service, status);
  }

  /** undefined means the service name is unknown. */
  get(service: string): ServingStatus | undefined {
    return this.#statuses.get(service);
  }

  /** Sets a status and notifies the watchers of that name, only on a real change. */
  set(service: string, status: ServingStatus): void {
    if (this.#statuses.get(service) === status) return;
    this.#statuses.set(service, status);
    // Copy: a listener may unsubscribe while we iterate.
    for (const listener of [...(this.#listeners.get(service) ?? [])]) listener(status);
  }

  /** A snapshot of every known service name and its status. */
  entries(): Array<[string, ServingStatus]> {
    return [...this.#statuses];
  }

  /**
   * Watches one service name (known or not yet known). Returns the function
   * that removes the listener; callers must call it to avoid leaks.
   */
  subscribe(service: string, listener: HealthListener): () => void {
    let set = this.#listeners.get(service);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(service, set);
    }
    set.add(listener);
    return () => {
      const current = this.#listeners.get(service);
      if (current === undefined) return;
      current.delete(listener);
      if (current.size === 0) this.#listeners.delete(service);
    };
  }

  /** Number of live listeners over all names (lets tests prove nothing leaks). */
  get listenerCount(): number {
    let count = 0;
    for (const set of this.#listeners.values()) count += set.size;
    return count;
  }
}
