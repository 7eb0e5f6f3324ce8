import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  node: string;
  level: LogLevel;
  /** Directory for vigild.log; undefined logs to stderr only. */
  dir?: string;
  format: 'json' | 'plain';
  now?: () => number;
}

export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/**
 * One line per record, to the log directory and to stderr. JSON lines carry `ts` in epoch
 * milliseconds so tools (and the membership bench) can line events up across nodes.
 * Writes are synchronous on purpose: a daemon that dies right after logging must not lose the
 * line that explains why; the volume is small and rate-limited where packets are concerned.
 */
export function createLogger(opts: LoggerOptions): Logger {
  const now = opts.now ?? Date.now;
  let file: string | undefined;
  if (opts.dir !== undefined) {
    mkdirSync(opts.dir, { recursive: true });
    file = join(opts.dir, 'vigild.log');
  }
  return (level, message, fields) => {
    if (RANK[level] < RANK[opts.level]) return;
    const ts = now();
    const line =
      opts.format === 'json'
        ? JSON.stringify({ ts, level, node: opts.node, msg: message, ...fields }) + '\n'
        : `${new Date(ts).toISOString()} ${opts.node} ${level.toUpperCase()}: ${message}${fields && Object.keys(fields).length > 0 ? ' ' + JSON.stringify(fields) : ''}\n`;
    process.stderr.write(line);
    if (file !== undefined) {
      try {
        appendFileSync(file, line);
      } catch {
        // A full or vanished log disk must not take the heartbeats down with it; stderr has the line.
      }
    }
  };
}

export function parseLogLevel(value: string): LogLevel {
  if (value in RANK) return value as LogLevel;
  throw new Error(`log level must be one of ${Object.keys(RANK).join(', ')}, not '${value}'`);
}
