import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

/** Structured logs: JSON in production, human-readable lines in development. */
export function createLogger(log: Config['log']): Logger {
  if (log.format === 'pretty') {
    return pino({
      level: log.level,
      transport: { target: 'pino-pretty', options: { colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino({ level: log.level });
}

/** A logger that discards everything, for tests and tools that pass no logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
