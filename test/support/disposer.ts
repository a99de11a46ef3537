import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Collects cleanups during a test and runs them afterwards, newest first, even if one fails. */
export interface Disposer {
  add(cleanup: () => unknown): void;
  /** Registers `dispose(value)` and hands the value back: `const api = cleanup.use(await start(), (a) => a.stop())`. */
  use<T>(value: T, dispose: (value: T) => unknown): T;
  run(): Promise<void>;
}

export function disposer(): Disposer {
  const cleanups: Array<() => unknown> = [];
  return {
    add: (cleanup) => void cleanups.push(cleanup),
    use: (value, dispose) => {
      cleanups.push(() => dispose(value));
      return value;
    },
    run: async () => {
      const errors: unknown[] = [];
      for (const cleanup of cleanups.splice(0).reverse()) {
        try {
          await cleanup();
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed');
    },
  };
}

/** A fresh, empty directory, removed after the test. */
export function tempDir(cleanup: Disposer, label = 'energy-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), label));
  cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
