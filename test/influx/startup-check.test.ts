import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInfluxAccess, InfluxAccessError } from '../../src/store/influx/influx-check.js';
import { InfluxUnreachableError } from '../../src/store/influx/influx-http.js';
import { influxError, startFakeInflux, type FakeInfluxDB } from '../support/fake-influx.js';

let fake: FakeInfluxDB;
beforeAll(async () => {
  fake = await startFakeInflux();
});
afterAll(async () => {
  await fake.stop();
});

async function fatal(promise: Promise<unknown>): Promise<InfluxAccessError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InfluxAccessError);
  return error as InfluxAccessError;
}

describe('checkInfluxAccess (start-up)', () => {
  it('passes with the right token, org and bucket', async () => {
    await expect(checkInfluxAccess(fake.connection)).resolves.toEqual({ reachable: true });
    const [request] = fake.requests.filter((r) => r.path === '/api/v2/buckets');
    expect(request!.headers.authorization).toBe(`Token ${fake.token}`);
    expect(Object.fromEntries(request!.params)).toEqual({ org: fake.org, name: fake.bucket });
  });

  it('a wrong token is fatal (exit code 2) and says which setting', async () => {
    const error = await fatal(checkInfluxAccess({ ...fake.connection, token: 'nope' }));
    expect(error).toMatchObject({ problem: 'unauthorized', exitCode: 2 });
    expect(error.message).toMatch(/rejected INFLUX_TOKEN/);
  });

  it('a wrong org is fatal', async () => {
    const error = await fatal(checkInfluxAccess({ ...fake.connection, org: 'other-org' }));
    expect(error).toMatchObject({ problem: 'org-not-found', exitCode: 2 });
    expect(error.message).toContain('org "other-org" not found');
  });

  it('a wrong bucket is fatal', async () => {
    const error = await fatal(checkInfluxAccess({ ...fake.connection, bucket: 'energy' }));
    expect(error).toMatchObject({ problem: 'bucket-not-found', exitCode: 2 });
    expect(error.message).toContain('bucket "energy"');
  });

  it('an unreachable InfluxDB is not fatal', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await checkInfluxAccess({ ...fake.connection, url: `http://127.0.0.1:${port}` });
    expect(result.reachable).toBe(false);
    expect(!result.reachable && result.error).toBeInstanceOf(InfluxUnreachableError);
  });

  it('a server that never answers is not fatal either (timeout)', async () => {
    fake.hang('before-store');
    try {
      // The server never answers: only the check's own timeout can end this.
      const result = await checkInfluxAccess(fake.connection, { timeoutMs: 200 });
      expect(result.reachable).toBe(false);
      expect(!result.reachable && (result.error as InfluxUnreachableError).timedOut).toBe(true);
    } finally {
      fake.hang('off');
    }
  });

  it('an InfluxDB that is starting (503) is not fatal; something that is not InfluxDB is', async () => {
    let respond: (res: ServerResponse) => void = (res) => {
      res.writeHead(503, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(influxError(503, 'unavailable', 'starting').body));
    };
    const server: Server = createServer((_req, res) => respond(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await checkInfluxAccess({ ...fake.connection, url })).reachable).toBe(false);
      respond = (res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html>a router login page</html>');
      };
      expect(await fatal(checkInfluxAccess({ ...fake.connection, url }))).toMatchObject({ problem: 'not-influxdb' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
