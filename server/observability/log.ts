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
 * A logger writing `{"time":ISO,"level":"info","msg":..., ...fields}` lines. Without `write`, lines go
 * to stdout synchronously (serve logs "stopped" right before process.exit, which must not lose it).
 */
export function jsonLogger(write?: (line: string) => void, options: LoggerOptions = {}): Logger {
  const stream: DestinationStream = write ? { write } : pino.destination({ dest: 1, sync: true });
  const p: Pino = pino(
    {
      level: options.level ?? "info",
      base: null,
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
