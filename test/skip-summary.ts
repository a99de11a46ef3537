import type { Reporter } from 'vitest/reporters';
import { skipLines } from './requirements.js';

/** Ends `npm test` with what was skipped for a missing program (see test/requirements.ts). */
export default class SkipSummary implements Reporter {
  onTestRunEnd(): void {
    const lines = skipLines();
    if (lines.length > 0) console.warn(`\nSkipped for missing programs (.ci/run installs them all):\n${lines.join('\n')}\n`);
  }
}
