/**
 * A bound on how long a Redis reply may take that measures Redis, not a busy
 * event loop. A plain setTimeout fires in the timers phase, before the poll
 * phase reads sockets: when the loop has been saturated for longer than the
 * bound, the timer would fire although the reply has been sitting in the
 * socket for a long time. So when the timer fires, the verdict waits one turn
 * (setImmediate runs after the poll phase): a reply that arrived meanwhile wins.
 * Only a reply that is still missing after the loop has read everything that
 * came in is a timeout.
 */
export class ReplyTimeout extends Error {
  constructor(ms: number) {
    super(`Command timed out (no reply within ${ms} ms)`);
    this.name = "ReplyTimeout";
  }
}

export function withReplyDeadline<T>(reply: Promise<T>, ms: number): Promise<T> {
  if (!(ms > 0) || !Number.isFinite(ms)) return reply;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(new ReplyTimeout(ms));
      });
    }, ms);
    reply.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
