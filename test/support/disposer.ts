/** Collects cleanups during a test and runs them afterwards, newest first, even if one fails. */
export interface Disposer {
  add(cleanup: () => unknown): void;
  run(): Promise<void>;
}

export function disposer(): Disposer {
  const cleanups: Array<() => unknown> = [];
  return {
    add: (cleanup) => void cleanups.push(cleanup),
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
