import { ConfigError, loadConfig } from './config/config.js';
import { inspect } from 'node:util';
import { createLogger } from './config/logger.js';
import { scrubKeyMaterial, scrubSecrets, secretValues } from './config/redact.js';
import { StartupConfigError } from './config/startup-error.js';
import { startApp } from './app.js';

/**
 * Exit codes: 0 after a clean shutdown (SIGTERM, SIGINT), 2 for a start-up failure the user must
 * fix (configuration, a damaged or missing database, a DATA_DIR this user cannot write), each with
 * one line naming what and where; 1 for anything else.
 */
async function main(): Promise<void> {
  try {
    process.loadEnvFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      fail(`Cannot read the .env file in ${process.cwd()}: ${(error as Error).message}`);
      return;
    }
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      fail(error.message);
      return;
    }
    throw error;
  }
  const logger = createLogger(config.log, secretValues(process.env));
  let app;
  try {
    app = await startApp(config, logger);
  } catch (error) {
    const message = startupFailure(error, config.store.dataDir);
    if (message === null) throw error;
    fail(message);
    return;
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    app
      .stop()
      .then(() => logger.info('stopped cleanly'))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  // Node's default for these is to end the process without a word. Configuration is read once at
  // start (restart to change it), so there is nothing to reload: say so and keep running. SIGHUP is
  // what a closed terminal or `systemctl reload` sends; SIGUSR2 what some process managers send.
  for (const signal of ['SIGHUP', 'SIGUSR2'] as const) {
    process.on(signal, () => {
      if (!stopping) logger.warn({ signal }, 'signal received: nothing to reload (settings are read at start; restart to change them); still running');
    });
  }
}

/**
 * Plain stderr, whatever LOG_LEVEL says: the user must see what to fix. Never a secret: the
 * configured ones are scrubbed, and so are hashes and keys quoted from a file that was read (a JSON
 * parser's message shows a piece of the text).
 */
function fail(message: string): void {
  console.error(printable(message));
  process.exitCode = 2;
}

function printable(text: string): string {
  return scrubKeyMaterial(scrubSecrets(text, secretValues(process.env)));
}

/**
 * The one-line reason for a start-up failure the user must fix, or null for a bug. File-system
 * errors (a DATA_DIR that is read-only, unreadable, not a directory, or on a full disk) name the path.
 */
function startupFailure(error: unknown, dataDir: string): string | null {
  if (error instanceof StartupConfigError) return error.message;
  const errno = error as NodeJS.ErrnoException;
  const what: Record<string, string> = {
    EACCES: 'this user may not read or write it',
    EPERM: 'this user may not read or write it',
    EROFS: 'it is on a read-only file system',
    ENOTDIR: 'a part of the path is not a directory',
    EEXIST: 'it exists and is not a directory',
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is exhausted',
  };
  if (error instanceof Error && typeof errno.code === 'string' && what[errno.code]) {
    const path = errno.path ?? dataDir;
    return `Cannot use ${path} (DATA_DIR is ${dataDir}): ${what[errno.code]} (${errno.code}). Fix the directory or set DATA_DIR to one this user may write, then start again.`;
  }
  return null;
}

main().catch((error: unknown) => {
  console.error('fatal:', printable(inspect(error)));
  process.exit(1);
});
