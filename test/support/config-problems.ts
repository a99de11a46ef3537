import { ConfigError, loadConfig } from '../../src/config/config.js';

/** What loadConfig refuses in `env`, one line per problem (none when it loads). */
export function configProblems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}
