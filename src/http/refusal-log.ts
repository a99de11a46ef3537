import { LogLimiter } from '../config/log-limiter.js';
import type { Logger } from '../config/logger.js';

/** Logs a refused credential: the authenticator's words, never the credential. */
export type RefusalLog = (door: string, reason: string, remote: string | undefined) => void;

/** At most 5 lines a minute per door (HTTP, WebSocket, metrics), then a count of what was left out. */
export function createRefusalLog(logger: Logger): RefusalLog {
  const limiter = new LogLimiter({ perWindow: 5, windowMs: 60_000 });
  return (door, reason, remote) => {
    const { log, suppressed } = limiter.take(door);
    if (log) logger.warn({ door, reason, remote, ...(suppressed > 0 ? { suppressed } : {}) }, 'credentials refused');
  };
}
