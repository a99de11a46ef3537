import { pino, type Logger, type LoggerOptions } from 'pino';
import type { Config } from './config.js';
import { scrubSecrets } from './redact.js';

export type { Logger };

/**
 * Structured logs: JSON in production, human-readable lines in development. `secrets` (the
 * configured secrets' values, secretValues()) are replaced by `***` in every line, whatever field
 * or error message carries them.
 */
export function createLogger(log: Config['log'], secrets: readonly string[] = []): Logger {
  // pino takes `hooks: undefined` as "no hooks at all" (and then fails): leave the key out instead.
  const hooks: Pick<LoggerOptions, 'hooks'> = secrets.length > 0 ? { hooks: { streamWrite: (line) => scrubSecrets(line, secrets) } } : {};
  if (log.format === 'pretty') {
    return pino({
      level: log.level,
      ...hooks,
      transport: { target: 'pino-pretty', options: { colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino({ level: log.level, ...hooks });
}

/** A logger that discards everything, for tests and tools that pass no logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
