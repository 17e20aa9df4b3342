// Structured JSON log lines on stdout (one object per line), written by pino.
// Callers pass fields explicitly; prompts and secrets are never logged (the
// access log adds the prompt only when [observability] log_prompts = true).
import { pino, type DestinationStream, type Logger as Pino } from "pino";

export type Level = "debug" | "info" | "warn" | "error";
export type LogLevel = Level | "silent";

export interface Logger {
  log(level: Level, msg: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  /** Lines below this level are dropped (default "info"). */
  level?: LogLevel;
}

/**
 * The process's stdout as pino's asynchronous destination (sonic-boom): a line is handed to a
 * write off the event loop, and lines that come while a write is in flight go out together in the
 * next one, so a busy server pays no syscall per line. Shared by every logger of the process (it is
 * the one stdout), and flushed synchronously when the process exits: nothing logged is lost on a
 * graceful stop (serve logs "stopped" right before process.exit).
 */
let stdout: ReturnType<typeof pino.destination> | undefined;
/** Set by the primary of `serve --workers N` in each worker's environment. */
const WORKER_INDEX = process.env.HOOSH_WORKER_INDEX;
/**
 * Workers share one stdout: a write of at most PIPE_BUF bytes to a pipe is atomic, and sonic-boom
 * batches whole lines up to maxWrite, so lines of two workers never interleave mid-line.
 */
const PIPE_BUF = 4096;
function stdoutDestination(): DestinationStream {
  if (!stdout) {
    const dest = pino.destination({ dest: 1, sync: false, minLength: 0, ...(WORKER_INDEX !== undefined && { maxWrite: PIPE_BUF }) });
    process.once("exit", () => flushDestination(dest));
    stdout = dest;
  }
  return stdout;
}

function flushDestination(dest: ReturnType<typeof pino.destination>): void {
  try {
    dest.flushSync();
  } catch {
    // stdout already closed (the reader went away): nothing more can be written
  }
}

/** Writes what the stdout loggers still hold (before process.exit). */
export function flushLogs(): void {
  if (stdout) flushDestination(stdout);
}

/**
 * A logger writing `{"time":ISO,"level":"info","msg":..., ...fields}` lines. Without `write`, lines go
 * to stdout through the shared asynchronous destination above.
 */
export function jsonLogger(write?: (line: string) => void, options: LoggerOptions = {}): Logger {
  const stream: DestinationStream = write ? { write } : stdoutDestination();
  const p: Pino = pino(
    {
      level: options.level ?? "info",
      // A worker's lines say which worker wrote them (one log stream for all workers).
      base: WORKER_INDEX !== undefined ? { worker: Number(WORKER_INDEX) } : null,
      messageKey: "msg",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  return {
    log(level, msg, fields) {
      if (fields) p[level](fields, msg);
      else p[level](msg);
    },
  };
}

/** Drops everything (apps built in-process by tests). */
export const silentLogger: Logger = { log() {} };
