import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Scripts of test/bench/ that run compiled (the rest are load generators, run through tsx). */
const COMPILED_SCRIPTS = ['app-host', 'child', 'mqtt-sink', 'ws-baseline-host'] as const;

export interface ProductBuild {
  /** The compiled product host (test/bench/app-host.ts). */
  readonly hostScript: string;
  /** Directory of the compiled test/bench scripts. */
  readonly scriptDir: string;
  /** The compiled product sources the host loads (BENCH_SRC for the host). */
  readonly srcRoot: string;
  readonly buildMs: number;
  /** Type errors tsc reported (the JavaScript is emitted anyway, as `npm run build` would). */
  readonly typeErrors: string | null;
}

/**
 * Compiles the product (src/, or a prototype copy of it) and the product host with the project's
 * compiler options, like `npm run build` does for `npm start`, so the product is measured as it
 * runs in production: plain Node, no TypeScript loader in its process (tsx alone adds about
 * 150 MB of resident memory and its own loader thread).
 */
export async function buildProduct(srcDir: string, workDir: string): Promise<ProductBuild> {
  const started = performance.now();
  // In the run's temporary directory (removed afterwards, never linted); a node_modules link
  // lets the compiled files resolve the project's packages.
  const BUILD_DIR = resolve(workDir, 'build');
  mkdirSync(BUILD_DIR, { recursive: true });
  symlinkSync(resolve(ROOT, 'node_modules'), resolve(BUILD_DIR, 'node_modules'), 'dir');
  const fromBuild = (path: string) => relative(BUILD_DIR, resolve(ROOT, path));
  const tsconfig = resolve(BUILD_DIR, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify(
      {
        extends: fromBuild('tsconfig.json'),
        compilerOptions: { rootDir: fromBuild('.'), outDir: '.', noEmit: false, sourceMap: false, incremental: false, types: ['node'] },
        // The product host and the two baseline servers, so products and baselines run alike.
        include: [`${fromBuild(srcDir)}/**/*.ts`, ...COMPILED_SCRIPTS.map((script) => fromBuild(`test/bench/${script}.ts`))],
        exclude: [`${fromBuild(srcDir)}/**/*.test.ts`],
      },
      null,
      2,
    ),
  );
  const tsc = resolve(ROOT, 'node_modules/typescript/bin/tsc');
  const typeErrors = await new Promise<string | null>((resolvePromise) => {
    execFile(process.execPath, [tsc, '-p', tsconfig], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      resolvePromise(error ? stdout.split('\n').slice(0, 5).join('\n') || error.message : null);
    });
  });
  const hostScript = resolve(BUILD_DIR, 'test/bench/app-host.js');
  const srcRoot = resolve(BUILD_DIR, relative(ROOT, resolve(ROOT, srcDir)));
  // What tsc does not emit but the product loads next to its modules (like `npm run build`
  // copies the SQLite read worker, a plain .mjs, into dist/).
  copyAssets(resolve(ROOT, srcDir), srcRoot);
  if (!existsSync(hostScript) || !existsSync(resolve(srcRoot, 'app.js'))) {
    throw new Error(`building the product failed:\n${typeErrors ?? 'no output'}`);
  }
  return { hostScript, scriptDir: resolve(BUILD_DIR, 'test/bench'), srcRoot, buildMs: performance.now() - started, typeErrors };
}

/** Copies the files of `from` that are not TypeScript (e.g. src/store/sqlite/sqlite-read-worker.cjs) to `to`. */
function copyAssets(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
    const source = join(entry.parentPath, entry.name);
    const target = join(to, relative(from, source));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(source, target);
  }
}
