import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bearer, makeKey } from '../access/support.js';
import { startProduct, type Product } from '../hostile/product.js';
import { makePasswordFile } from '../mqtt/tls-certs.js';
import { disposer, tempDir } from '../support/disposer.js';
import { httpData } from '../support/graphql-client.js';
import { reachable } from '../support/net.js';

/**
 * Issue 20 point 5, against the real product process: the simulator stays out of production's
 * store unless SIMULATE=true says otherwise (and the log says so); the open development mode
 * (anonymous callers are admins, the broker takes anyone) listens on 127.0.0.1 unless HOST says
 * otherwise, and then says loudly that it is open to the network; `npm start` on a fresh clone
 * still starts the embedded broker with the simulator, as the README promises.
 */
const cleanup = disposer();
afterEach(() => cleanup.run());

const ADMIN = makeKey('ops', 'admin');
const PANELS = '{ panels { nodes { id } } }';
/** Long, so that a busy machine does not fail a test (nothing here is a speed target). */
const WAIT = { timeout: 15_000, interval: 50 };

/**
 * Another address of this machine: its first network interface's (what a neighbour on the building
 * network would connect to), or 127.0.0.2 where there is none: a listener bound to 127.0.0.1 does not
 * answer there either, one bound to every interface does.
 */
const OTHER_ADDRESS = Object.values(networkInterfaces())
  .flat()
  .find((net) => net?.family === 'IPv4' && !net.internal)?.address ?? '127.0.0.2';

/** Settings the spawn helper sets for its other tests, unset here ('' is "not set"), so the defaults apply. */
const DEFAULTS = { HOST: '', MQTT_ALLOW_ANONYMOUS: '', SIMULATE: '' };

async function panelIds(product: Product, headers: Record<string, string> = {}): Promise<string[]> {
  const data = await httpData<{ panels: { nodes: Array<{ id: string }> } }, Record<string, never>>(product.httpUrl, PANELS, {}, headers);
  return data.panels.nodes.map((panel) => panel.id);
}

function logged(product: Product, pattern: RegExp, level?: number) {
  return product.logs.filter((line) => pattern.test(line.msg) && (level === undefined || line.level === level));
}

describe('the simulator in production', () => {
  it('does not run without SIMULATE=true, and the log says so: nothing simulated is stored', async () => {
    const product = await startProduct({ ...DEFAULTS, NODE_ENV: 'production', API_KEYS: ADMIN.entry, MQTT_ALLOW_ANONYMOUS: 'true', DATA_DIR: tempDir(cleanup) }, cleanup);
    // Logged where the simulator would have started: after it, nothing more about the simulator comes.
    await vi.waitFor(() => expect(logged(product, /^simulator off: NODE_ENV=production/)).toHaveLength(1), WAIT);
    expect(logged(product, /simulator (publishing|started)/)).toEqual([]);
    expect(await panelIds(product, bearer(ADMIN.key))).toEqual([]);
  });

  it('runs with SIMULATE=true, with a warning that its readings are stored and billed', async () => {
    const product = await startProduct(
      { ...DEFAULTS, NODE_ENV: 'production', API_KEYS: ADMIN.entry, MQTT_ALLOW_ANONYMOUS: 'true', SIMULATE: 'true', DATA_DIR: tempDir(cleanup) },
      cleanup,
    );
    await vi.waitFor(() => expect(logged(product, /^SIMULATE=true in production: simulated readings are stored, and billed/, 40)).toHaveLength(1), WAIT);
    await expect.poll(() => panelIds(product, bearer(ADMIN.key)), WAIT).toContain('PANEL_LANTAI_1');
  });
});

describe('the open development mode', () => {
  it('npm start on a fresh clone: the API and the open broker on 127.0.0.1 only, the simulator publishing', async () => {
    const product = await startProduct({ ...DEFAULTS, DATA_DIR: tempDir(cleanup) }, cleanup);
    expect(logged(product, /^access control is OPEN: anyone on this machine/, 40)).toHaveLength(1);
    expect(logged(product, /reachable from the network/)).toEqual([]);
    expect(product.logs.find((line) => line.msg === 'embedded MQTT broker listening')?.host).toBe('127.0.0.1');

    // From this machine both answer; at another of its addresses neither does.
    expect(await reachable(product.httpPort)).toBe(true);
    expect(await reachable(product.mqttPort)).toBe(true);
    expect(await reachable(product.httpPort, OTHER_ADDRESS)).toBe(false);
    expect(await reachable(product.mqttPort, OTHER_ADDRESS)).toBe(false);

    // As the README promises: simulated panels without any setting (anonymous callers may read them).
    await expect.poll(() => panelIds(product), WAIT).toContain('PANEL_LANTAI_1');
  });

  it('HOST=0.0.0.0 opens both doors to the network, and each says so loudly', async () => {
    const product = await startProduct({ ...DEFAULTS, HOST: '0.0.0.0', SIMULATE: 'false', DATA_DIR: tempDir(cleanup) }, cleanup);
    expect(await reachable(product.httpPort, OTHER_ADDRESS)).toBe(true);
    expect(await reachable(product.mqttPort, OTHER_ADDRESS)).toBe(true);
    expect(logged(product, /^access control is OPEN and the API is reachable from the network/, 40)).toHaveLength(1);
    expect(logged(product, /^embedded MQTT broker is OPEN and reachable from the network/, 40)).toHaveLength(1);
  });

  it('with credentials required on both doors (production), listens on every interface by default, without those warnings', async () => {
    const dir = tempDir(cleanup);
    const passwordFile = makePasswordFile(join(dir, 'passwd'), { 'gw-1': 'gw1-password-for-test' });
    const product = await startProduct({ ...DEFAULTS, NODE_ENV: 'production', API_KEYS: ADMIN.entry, MQTT_BROKER_PASSWORD_FILE: passwordFile, DATA_DIR: join(dir, 'data') }, cleanup);
    expect(await reachable(product.httpPort, OTHER_ADDRESS)).toBe(true);
    expect(await reachable(product.mqttPort, OTHER_ADDRESS)).toBe(true);
    expect(logged(product, /is OPEN/)).toEqual([]);
  });
});
