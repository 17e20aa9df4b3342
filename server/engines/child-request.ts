// One request to an engine's worker process over IPC, answered by the message with the same id.
// The worker dying (crash, kill) is INTERNAL naming it; the caller's cancellation or deadline
// rejects at once with its own reason (the caller then kills the worker: it may be mid-work).
import type { ChildProcess } from "node:child_process";
import { Code, ConnectError } from "@connectrpc/connect";
import { abortReason } from "../core/abort.js";

export class ChildRequests {
  private nextId = 1;

  /** `label` names the worker in errors, e.g. `provider "tts": flite worker`. */
  constructor(private readonly label: string) {}

  ask<Reply extends { id: number }>(worker: ChildProcess, req: Record<string, unknown>, signal: AbortSignal): Promise<Reply> {
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const done = () => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        signal.removeEventListener("abort", onAbort);
      };
      const onMessage = (m: Reply) => {
        if (m.id !== id) return;
        done();
        resolve(m);
      };
      const onError = (err: Error) => {
        done();
        reject(new ConnectError(`${this.label} failed: ${err.message}`, Code.Internal));
      };
      const onExit = (code: number | null, sig: string | null) => onError(new Error(`exited with ${sig ?? `code ${code}`}`));
      const onAbort = () => {
        done();
        reject(abortReason(signal));
      };
      if (signal.aborted) return onAbort();
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      signal.addEventListener("abort", onAbort, { once: true });
      worker.send({ id, ...req });
    });
  }
}
