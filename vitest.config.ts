import { createRequire } from 'node:module';
import { configDefaults, defineConfig } from 'vitest/config';
import { skippedFiles } from './test/requirements.js';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One graphql, as under Node: Node resolves `graphql` to its CommonJS main (as Pothos, yoga and
    // graphql-ws, loaded natively, get it), while Vite would pick its `module` (.mjs) for our
    // sources, and two copies break `instanceof GraphQLError` and schema checks ("another realm").
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Suites whose programs (Mosquitto, Chromium) are not installed: skipped, and said so.
    exclude: [...configDefaults.exclude, ...skippedFiles()],
    reporters: ['default', './test/skip-summary.ts'],
    globalSetup: ['test/global-setup.ts', 'test/browser/build-web.ts'],
    // Integration tests bind real brokers and servers; keep files isolated but allow two at once (2 cores).
    pool: 'forks',
    maxWorkers: 2,
    // A test's budget, not its expected time: on a loaded 2-core CI machine the slowest tests
    // without a budget of their own took 10-15 s (a WebSocket flood of 30,000 subscriptions, real
    // browsers at every width), and a machine a fifth slower must not turn them into failures.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    env: { LOG_LEVEL: 'silent' },
  },
});
