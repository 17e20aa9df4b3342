// The open /mcp sessions. A session unused for session_idle_ms (no request and
// no open stream) is closed; at max_sessions the one idle longest makes room.
import type { McpSession } from "./session.js";

export class SessionStore {
  private readonly sessions = new Map<string, McpSession>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly maxSessions: number,
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.sweep(), Math.min(60_000, Math.max(1_000, Math.floor(idleMs / 2))));
    this.timer.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): McpSession | undefined {
    return this.sessions.get(id);
  }

  all(): McpSession[] {
    return [...this.sessions.values()];
  }

  /** False when max_sessions are open and every one has a request or stream open; else closes the longest idle if needed. */
  makeRoom(): boolean {
    if (this.sessions.size < this.maxSessions) return true;
    const oldest = this.all()
      .filter((s) => s.open === 0)
      .sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (!oldest) return false;
    this.close(oldest);
    return true;
  }

  add(session: McpSession): void {
    if (session.id) this.sessions.set(session.id, session);
  }

  remove(session: McpSession): void {
    if (session.id && this.sessions.get(session.id) === session) this.sessions.delete(session.id);
  }

  close(session: McpSession): void {
    this.remove(session);
    void session.close();
  }

  async closeAll(): Promise<void> {
    clearInterval(this.timer);
    const all = this.all();
    this.sessions.clear();
    await Promise.all(all.map((s) => s.close()));
  }

  private sweep(): void {
    const cutoff = this.now() - this.idleMs;
    for (const s of this.all()) if (s.open === 0 && s.lastUsed < cutoff) this.close(s);
  }
}
