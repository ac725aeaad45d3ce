// Structured logs: one JSON object per line, so a daemon's output can be shipped as is.
import type { Json, Logger, LogLevel } from '../model/index.js';

export function jsonLogger(write: (line: string) => void, now: () => Date = () => new Date()): Logger {
  return {
    log(level: LogLevel, message: string, fields: { [key: string]: Json } = {}) {
      write(JSON.stringify({ time: now().toISOString(), level, msg: message, ...fields }) + '\n');
    },
  };
}

/** Keeps every line in memory: tests read them back. */
export function memoryLogger(): Logger & { lines: { level: LogLevel; msg: string; [k: string]: Json }[] } {
  const lines: { level: LogLevel; msg: string; [k: string]: Json }[] = [];
  return {
    lines,
    log(level, msg, fields = {}) {
      lines.push({ level, msg, ...fields });
    },
  };
}
