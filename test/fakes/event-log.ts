// What a fake has observed, in order; tests read it through GET /_fake/events.
export class EventLog<E> {
  private events: E[] = [];
  push(event: E): void {
    this.events.push(event);
  }
  list(): E[] {
    return this.events;
  }
  clear(): void {
    this.events = [];
  }
}
