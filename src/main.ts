import { ConfigError, loadConfig } from './config/config.js';
import { createLogger } from './config/logger.js';
import { StartupConfigError } from './config/startup-error.js';
import { startApp } from './app.js';

/** Exit codes: 2 for configuration the user must fix, 1 for anything else. */
async function main(): Promise<void> {
  try {
    process.loadEnvFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.log);
  let app;
  try {
    app = await startApp(config, logger);
  } catch (error) {
    if (error instanceof StartupConfigError) {
      // Plain stderr, whatever LOG_LEVEL says: the user must see what to fix.
      console.error(error.message);
      process.exitCode = 2;
      return;
    }
    throw error;
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
}

main().catch((error: unknown) => {
  console.error('fatal:', error);
  process.exit(1);
});
