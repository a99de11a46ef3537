import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, mkdirSync, openSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { disposer, tempDir } from '../support/disposer.js';
import { freePort } from '../support/net.js';
import { makeReading } from '../support/readings.js';
import { spawnProduct, type Product } from './product.js';

/**
 * Start-up on damaged or missing files and unusable directories: the real process (as `npm
 * start`) exits 2 with one line that names the file or directory and says what to do, never a
 * stack trace, and never starts on a damaged file or silently over a missing one.
 */
const cleanup = disposer();
afterEach(() => cleanup.run());

/** A DATA_DIR whose readings store held readings and was closed cleanly (the marker records it). */
async function usedDataDir(): Promise<{ dir: string; file: string }> {
  const dir = tempDir(cleanup, 'energy-hostile-start-');
  const file = join(dir, 'readings.sqlite');
  const store = new SqliteStore({ file });
  const start = Date.UTC(2026, 0, 1);
  const readings = Array.from({ length: 3_000 }, (_, i) => makeReading(`PANEL_${i % 3}`, new Date(start + i * 60_000), 1_000 + i));
  store.writeBatchSync(readings);
  await store.close();
  return { dir, file };
}

async function exitOf(env: Record<string, string>, options: Parameters<typeof spawnProduct>[3] = {}): Promise<{ code: number | null; product: Product }> {
  const product = spawnProduct(env, cleanup, { http: await freePort(), mqtt: await freePort() }, options);
  const { code } = await product.exited;
  // Shown in the run's output: docs/limits-and-faults.md quotes these lines.
  console.info(`[hostile] exit ${code}: ${product.stderr().trim()}`);
  return { code, product };
}

/** Exit 2, one line on stderr, no stack trace. */
function expectOneLineReason(product: Product, ...mentions: string[]): void {
  const lines = product.stderr().trim().split('\n');
  expect(lines, product.stderr()).toHaveLength(1);
  expect(product.stderr()).not.toMatch(/\n\s+at /);
  for (const text of mentions) expect(lines[0]).toContain(text);
}

describe('start-up refuses damaged and missing databases (exit 2, one line naming the file)', () => {
  it('a file with damaged pages', async () => {
    const { dir, file } = await usedDataDir();
    // Overwrite pages in the middle of the file (the b-tree pages of readings), keeping its size.
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096 * 4, 0x5a), 0, 4096 * 4, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const { code, product } = await exitOf({ DATA_DIR: dir });
    expect(code).toBe(2);
    expectOneLineReason(product, file, 'damaged', 'restore the file from a backup');
  });

  it('a zero-length file where DATA_DIR shows earlier use', async () => {
    const { dir, file } = await usedDataDir();
    truncateSync(file, 0);
    const { code, product } = await exitOf({ DATA_DIR: dir });
    expect(code).toBe(2);
    expectOneLineReason(product, file, 'empty', 'Restore the file from a backup');
    expect(statSync(file).size).toBe(0); // not recreated
  });

  it('a deleted file where DATA_DIR shows earlier use', async () => {
    const { dir, file } = await usedDataDir();
    rmSync(file);
    const { code, product } = await exitOf({ DATA_DIR: dir });
    expect(code).toBe(2);
    expectOneLineReason(product, file, 'missing', '.energy-monitoring');
  });

  it('a damaged admin record (where the tariffs are kept)', async () => {
    const { dir, file } = await usedDataDir();
    const db = new Database(file);
    db.prepare('INSERT INTO admin_records (id, at_ms, actor, change_json) VALUES (?, ?, ?, ?)').run('broken-1', Date.now(), 'admin', '{"kind":"tariff.plan","plan":');
    db.close();
    const { code, product } = await exitOf({ DATA_DIR: dir });
    expect(code).toBe(2);
    expectOneLineReason(product, file, 'broken-1');
  });
});

describe('start-up refuses a DATA_DIR it cannot use (exit 2, one line naming the path)', () => {
  it('a read-only file system', async () => {
    const { dir } = await usedDataDir();
    const mountPoint = tempDir(cleanup, 'energy-hostile-ro-');
    // A read-only copy: a tmpfs with the used DATA_DIR's files, remounted read-only.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mountPoint]);
    cleanup.add(() => execFileSync('umount', ['-l', mountPoint]));
    execFileSync('cp', ['-a', `${dir}/.`, mountPoint]);
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    const { code, product } = await exitOf({ DATA_DIR: mountPoint });
    expect(code).toBe(2);
    expectOneLineReason(product, mountPoint);
    expect(product.stderr()).toMatch(/read-only|readonly|for writing/i);
  });

  it('a directory this user may not read or write', async () => {
    const parent = tempDir(cleanup, 'energy-hostile-perm-');
    chmodSync(parent, 0o755);
    const dir = join(parent, 'data');
    mkdirSync(dir, { mode: 0o700 });
    // Another user's directory; the product runs as root without the power to ignore file modes
    // (so it still reads its own files wherever the clone lies, /root included).
    chownSync(dir, 65534, 65534);
    const { code, product } = await exitOf({ DATA_DIR: dir }, { withoutFileOverride: true });
    expect(code).toBe(2);
    expectOneLineReason(product, dir);
  });

  it('a DATA_DIR that is a file', async () => {
    const file = join(tempDir(cleanup, 'energy-hostile-notdir-'), 'not-a-directory');
    writeFileSync(file, 'x');
    const { code, product } = await exitOf({ DATA_DIR: file });
    expect(code).toBe(2);
    expectOneLineReason(product, file);
  });
});
