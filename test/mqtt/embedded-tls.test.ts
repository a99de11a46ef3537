import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { connectAsync, type IClientOptions } from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { disposer, meterPayload, minutesAgo, peekStore, publishQos1, tempDir, uniqueClientId, uniquePanelId } from '../support/mqtt.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { makePasswordFile, makeTestCerts, type TestCerts } from './tls-certs.js';

const cleanup = disposer();
afterEach(() => cleanup.run());

const PASSWORD = 'tls-gateway-Pa55';

async function startWithTls(options: { requireClientCert: boolean }): Promise<{ product: TestApp; certs: TestCerts; tlsPort: number }> {
  const dir = tempDir(cleanup, 'mqtts-');
  const certs = makeTestCerts(dir);
  const product = await startTestApp(
    {
      MQTT_BROKER_PASSWORD_FILE: makePasswordFile(join(dir, 'passwd'), { 'gw-1': PASSWORD }),
      MQTTS_PORT: '0',
      MQTTS_CERT_FILE: certs.serverCertFile,
      MQTTS_KEY_FILE: certs.serverKeyFile,
      ...(options.requireClientCert ? { MQTTS_CA_FILE: certs.caFile } : {}),
    },
    undefined,
    { cleanup },
  );
  const line = product.logs.find((entry) => entry.msg === 'embedded MQTT broker listening');
  const tlsPort = line?.tlsPort;
  if (typeof tlsPort !== 'number') throw new Error('the broker did not log its TLS port');
  return { product, certs, tlsPort };
}

/** Connects once (no retries); resolves with the client or rejects with the failure. The client id is the account's own (MQTT_CLIENT_IDS=owned). */
async function tryConnect(url: string, options: IClientOptions) {
  const client = await connectAsync(url, { clientId: uniqueClientId(options.username ?? 'tls'), reconnectPeriod: 0, connectTimeout: 3_000, ...options });
  cleanup.add(() => client.endAsync(true));
  return client;
}

/**
 * One connection attempt: 'connected', or why not. (connectAsync without retries never settles when
 * the server just closes the socket, as a TLS listener does after a failed handshake.)
 */
function attempt(url: string, options: IClientOptions): Promise<string> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { clientId: uniqueClientId(options.username ?? 'tls'), reconnectPeriod: 0, connectTimeout: 3_000, ...options });
    const settle = (outcome: string) => {
      client.end(true);
      resolve(outcome);
    };
    client.once('connect', () => settle('connected'));
    client.once('error', (error) => settle(`error: ${error.message}`));
    client.once('close', () => settle('closed'));
  });
}

async function refused(product: TestApp, reason: string): Promise<number> {
  const text = await (await fetch(`${product.baseUrl}/metrics`)).text();
  return Number(new RegExp(`^energy_mqtt_refused_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
}

describe('embedded broker over TLS (MQTTS_PORT)', () => {
  it('takes readings over TLS from a gateway that trusts the CA and logs in; plain MQTT on the TLS port fails', async () => {
    const { product, certs, tlsPort } = await startWithTls({ requireClientCert: false });
    const url = `mqtts://127.0.0.1:${tlsPort}`;
    const ca = readFileSync(certs.caFile);
    const panel = uniquePanelId();

    const gateway = await tryConnect(url, { ca, username: 'gw-1', password: PASSWORD });
    await publishQos1(gateway, `DATA/PM/${panel}`, meterPayload({ time: minutesAgo(1) }));
    expect(peekStore(product.dataDir, cleanup).count(panel)).toBe(1);

    // The server certificate is checked: without the CA the client refuses the broker.
    expect(await attempt(url, { username: 'gw-1', password: PASSWORD })).toMatch(/^error: .*(unable to verify|self[- ]signed)/);
    // Passwords are still required over TLS.
    expect(await attempt(url, { ca, username: 'gw-1', password: 'wrong' })).toMatch(/^error: .*Bad username or password/);
    // A plain MQTT client on the TLS port gets no CONNACK.
    expect(await attempt(`mqtt://127.0.0.1:${tlsPort}`, { username: 'gw-1', password: PASSWORD })).not.toBe('connected');
    await vi.waitFor(async () => expect(await refused(product, 'tls')).toBeGreaterThanOrEqual(1));
  });

  it('requires a client certificate signed by MQTTS_CA_FILE when it is set', async () => {
    const { product, certs, tlsPort } = await startWithTls({ requireClientCert: true });
    const url = `mqtts://127.0.0.1:${tlsPort}`;
    const ca = readFileSync(certs.caFile);
    const login = { ca, username: 'gw-1', password: PASSWORD };

    expect(await attempt(url, login)).not.toBe('connected');
    expect(await attempt(url, { ...login, cert: readFileSync(certs.strangerCertFile), key: readFileSync(certs.strangerKeyFile) })).not.toBe('connected');
    const gateway = await tryConnect(url, { ...login, cert: readFileSync(certs.clientCertFile), key: readFileSync(certs.clientKeyFile) });
    expect(gateway.connected).toBe(true);
    await vi.waitFor(async () => expect(await refused(product, 'tls')).toBe(2));
    expect(product.logs.filter((line) => line.reason === 'tls')).toHaveLength(2);
  });
});

describe('npm run simulate against a TLS broker', () => {
  it('publishes over mqtts:// with --ca (or MQTT_CA_FILE), and without the CA says the certificate is not trusted', async () => {
    const { product, certs, tlsPort } = await startWithTls({ requireClientCert: false });
    const url = `mqtts://127.0.0.1:${tlsPort}`;
    const simulate = async (args: string[], env: Record<string, string> = {}) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulators/cli.ts', '--url', url, '--username', 'gw-1', '--password', PASSWORD, '--rounds', '1', ...args], {
        env: { ...process.env, LOG_LEVEL: 'silent', MQTT_URL: '', MQTT_CA_FILE: '', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      cleanup.add(() => void child.kill('SIGKILL'));
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      return { code, stderr };
    };
    const [byOption, byEnv, untrusted] = [uniquePanelId('CA'), uniquePanelId('CAENV'), uniquePanelId('NOCA')];
    expect(await simulate(['--panels', byOption, '--ca', certs.caFile])).toEqual({ code: 0, stderr: '' });
    expect(await simulate(['--panels', byEnv], { MQTT_CA_FILE: certs.caFile })).toEqual({ code: 0, stderr: '' });
    const refusedRun = await simulate(['--panels', untrusted]);
    expect(refusedRun.code).toBe(1);
    expect(refusedRun.stderr).toMatch(/cannot connect to MQTT broker mqtts:\/\/127\.0\.0\.1:\d+: .*(unable to verify|self[- ]signed)/);
    const missing = await simulate(['--panels', untrusted, '--ca', join(certs.caFile, 'missing')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--ca: cannot read .*missing: (ENOENT|ENOTDIR)/);
    const disk = peekStore(product.dataDir, cleanup);
    await vi.waitFor(() => expect([disk.count(byOption), disk.count(byEnv)]).toEqual([1, 1]));
    expect(disk.count(untrusted)).toBe(0);
  });
});

describe('the in-process simulator with a password file', () => {
  it("publishes with the product's own account, made at start and never logged", async () => {
    const dir = tempDir(cleanup, 'sim-');
    const panel = uniquePanelId('SIM');
    const product = await startTestApp(
      {
        MQTT_BROKER_PASSWORD_FILE: makePasswordFile(join(dir, 'passwd'), { 'gw-1': PASSWORD }),
        SIMULATE: 'true',
        SIMULATE_PANELS: panel,
        SIMULATE_INTERVAL: '1s',
      },
      undefined,
      { cleanup },
    );
    await vi.waitFor(() => expect(peekStore(product.dataDir, cleanup).count(panel)).toBeGreaterThan(0), { timeout: 10_000 });
    expect(JSON.stringify(product.logs)).not.toMatch(/energy-api-product-/);
  });
});
