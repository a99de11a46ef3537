import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { disposer } from '../support/disposer.js';
import { subscribe, wsClient, wsRequest } from '../support/graphql-client.js';
import { seed } from '../support/seed.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { makeKey, startIdentityProvider } from './support.js';

const disposers = disposer();
afterEach(() => disposers.run());

const VIEWER = makeKey('tenant-dash', 'viewer');

async function start(env: Record<string, string>): Promise<TestApp> {
  const app = await startTestApp(env, undefined, { cleanup: disposers });
  seed(app.app, [{ panelId: 'PANEL_A', time: new Date(Date.now() - 60_000), kwh: 10 }]);
  return app;
}

/** Opens a graphql-ws connection with these connectionParams and reports how it ended. */
function client(app: TestApp, connectionParams?: Record<string, unknown>) {
  const c = wsClient(app.wsUrl, connectionParams);
  disposers.add(() => c.dispose());
  return c;
}

describe('graphql-ws access', () => {
  it('refuses connection_init without credentials or with wrong ones with close code 4403', async () => {
    const app = await start({ AUTH: 'required', API_KEYS: VIEWER.entry });

    for (const params of [undefined, { authorization: 'Bearer emk_wrong' }, { authorization: VIEWER.key }, { authorization: 42 }]) {
      const result = await wsRequest(client(app, params), '{ panels { nodes { id } } }');
      expect(result.errors?.[0]?.message, JSON.stringify(params)).toBe('socket closed (4403: Forbidden)');
    }
    expect(await wsRequest(client(app, { authorization: `Bearer ${VIEWER.key}` }), '{ panels { nodes { id } } }')).toEqual({ data: { panels: { nodes: [{ id: 'PANEL_A' }] } } });
  });

  it('refuses too small a role per operation with FORBIDDEN, keeping the socket open', async () => {
    const app = await start({ AUTH: 'required', API_KEYS: VIEWER.entry });
    const c = client(app, { authorization: `Bearer ${VIEWER.key}` });
    const refused = await wsRequest(c, 'mutation { updatePanel(input: { id: "PANEL_A", hidden: true }) { panel { id } } }');
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await wsRequest(c, '{ panels { nodes { id } } }')).toEqual({ data: { panels: { nodes: [{ id: 'PANEL_A' }] } } });
  });

  it('closes a socket with 4403 "token expired" when its token expires, and refuses an expired token', async () => {
    const idp = await startIdentityProvider(disposers);
    const app = await start({ AUTH: 'required', ...idp.env });
    const now = Math.floor(Date.now() / 1000);

    const expired = await idp.sign({ sub: 'budi', role: 'viewer' }, { expiresAt: now - 60 });
    expect((await wsRequest(client(app, { authorization: `Bearer ${expired}` }), '{ panels { nodes { id } } }')).errors?.[0]?.message).toBe(
      'socket closed (4403: Forbidden)',
    );

    // Expires in about two seconds: the subscription runs, then the server closes the socket.
    const shortLived = await idp.sign({ sub: 'budi', role: 'viewer' }, { expiresAt: now + 2 });
    const live = subscribe(client(app, { authorization: `Bearer ${shortLived}` }), 'subscription { panelReading { panelId } }');
    disposers.add(() => live.dispose());
    expect((await live.next(2_000)).data).toEqual({ panelReading: { panelId: 'PANEL_A' } });
    await live.ended(6_000);
    expect(live.errors?.[0]?.message).toBe('socket closed (4403: token expired)');
  });

  it('accepts an open-mode socket without credentials but refuses wrong ones', async () => {
    const app = await start({ API_KEYS: VIEWER.entry });
    expect(await wsRequest(client(app), '{ panels { nodes { id } } }')).toEqual({ data: { panels: { nodes: [{ id: 'PANEL_A' }] } } });
    expect((await wsRequest(client(app, { authorization: 'Bearer emk_wrong' }), '{ panels { nodes { id } } }')).errors?.[0]?.message).toBe(
      'socket closed (4403: Forbidden)',
    );
  });
});

describe('WebSocket upgrades and CORS_ORIGINS', () => {
  /** The HTTP status an upgrade with this Origin is answered with (101: accepted). */
  function upgradeStatus(app: TestApp, origin: string | undefined): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(app.wsUrl, 'graphql-transport-ws', origin ? { origin } : {});
      socket.once('open', () => {
        socket.close();
        resolve(101);
      });
      socket.once('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  it('refuses an upgrade from an origin not on the list with HTTP 403, before the upgrade', async () => {
    const app = await start({ CORS_ORIGINS: 'https://dash.example.co.id' });
    expect(await upgradeStatus(app, 'https://dash.example.co.id')).toBe(101);
    expect(await upgradeStatus(app, 'https://evil.example')).toBe(403);
    // The page this server serves (same host) and clients that are not browsers (no Origin).
    expect(await upgradeStatus(app, app.baseUrl)).toBe(101);
    expect(await upgradeStatus(app, undefined)).toBe(101);
  });

  it('takes any origin with CORS_ORIGINS=* and only its own with the production default', async () => {
    const open = await start({ CORS_ORIGINS: '*' });
    expect(await upgradeStatus(open, 'https://anywhere.example')).toBe(101);
    const closed = await start({ NODE_ENV: 'production', MQTT_ALLOW_ANONYMOUS: 'true', API_KEYS: VIEWER.entry });
    expect(await upgradeStatus(closed, 'https://anywhere.example')).toBe(403);
    expect(await upgradeStatus(closed, closed.baseUrl)).toBe(101);
  });
});
