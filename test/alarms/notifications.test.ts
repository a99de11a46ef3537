import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { silentLogger } from '../../src/config/logger.js';
import { Notifier, retryDelays, signature } from '../../src/services/alarms/notifier.js';
import { SqliteAlarmStore } from '../../src/store/alarms/sqlite-alarm-store.js';
import { MINUTE as M, minutes, openRig, PANEL, T0, volts } from './support.js';
import { bearer, makeKey } from '../access/support.js';
import { disposer, tempDir, type Disposer } from '../support/disposer.js';
import { httpData } from '../support/graphql-client.js';
import { seed, type SeedReading } from '../support/seed.js';
import { startTestApp } from '../support/test-app.js';

const cleanup = disposer();
afterEach(() => cleanup.run());

const MINUTE = 60_000;
const SECRET = 'webhook-signing-secret';

interface Received {
  readonly key: string;
  readonly status: number;
  readonly body: { transition: { id: string; kind: string }; alarm: { id: string; panelId: string; type: string } };
  readonly signatureOk: boolean;
}

/** A real webhook receiver on loopback: answers `status()` to each request and records what came. */
async function startReceiver(cleanupList: Disposer, status: () => number): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(req.headers['x-signature-timestamp'] ?? '');
      const code = status();
      received.push({
        key: String(req.headers['idempotency-key'] ?? ''),
        status: code,
        body: JSON.parse(text) as Received['body'],
        signatureOk: req.headers['x-signature-sha256'] === signature(SECRET, timestamp, text),
      });
      res.writeHead(code).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanupList.add(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook?token=abc`, received };
}

/**
 * Minutes of readings ending about now with every phase at `volts`. Half a minute off the minute:
 * a reading exactly OFFLINE_AFTER (5 min) old when it is stored may find the panel ONLINE and its
 * deadline passed a millisecond later, and so raise and clear PANEL_OFFLINE within the batch.
 */
function readings(panelId: string, volts: readonly number[], end = Date.now() + MINUTE / 2): SeedReading[] {
  return volts.map((v, i) => ({ panelId, time: new Date(end - (volts.length - i) * MINUTE), kwh: 100 + i * 0.1, voltage: [v, v, v, v] as const }));
}

/** Fast retries so a receiver that is down for a while is minutes-free to test; the default schedule is checked below. */
const FAST = { ALARM_NOTIFY_RETRY_FIRST: '50ms', ALARM_NOTIFY_RETRY_MAX: '200ms', ALARM_NOTIFY_RETRY_FOR: '1h', ALARM_NOTIFY_MIN_INTERVAL: '1ms' };

describe('the retry schedule', () => {
  it('by default retries after 30 s, doubling up to an hour, for at least 24 hours', () => {
    const delays = retryDelays(30_000, 3_600_000, 25 * 3_600_000);
    expect(delays.slice(0, 8)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000]);
    expect(delays.slice(8).every((d) => d === 3_600_000)).toBe(true);
    const total = delays.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(total - delays.at(-1)!).toBeLessThan(25 * 3_600_000);
  });
});

describe('webhook notifications (a real receiver on loopback)', () => {
  it('a receiver answering 500 for two whole minutes gets the notification exactly once afterwards (retries every 10–30 s)', { timeout: 240_000 }, async () => {
    const outageMs = 2 * 60_000;
    const downUntil = Date.now() + outageMs;
    const receiver = await startReceiver(cleanup, () => (Date.now() < downUntil ? 500 : 204));
    const app = await startTestApp(
      { ALARM_NOTIFY_RETRY_FIRST: '10s', ALARM_NOTIFY_RETRY_MAX: '30s', ALARM_NOTIFY_RETRY_FOR: '1h', ALARM_WEBHOOK_URL: receiver.url, ALARM_WEBHOOK_SECRET: SECRET },
      undefined,
      { cleanup },
    );
    seed(app.app, readings('PANEL_A', [190, 190, 190, 190, 190, 190, 190]));
    await expect.poll(() => receiver.received.filter((r) => r.status === 204).length, { timeout: outageMs + 90_000, interval: 1_000 }).toBe(1);
    const [accepted] = receiver.received.filter((r) => r.status === 204);
    const refused = receiver.received.filter((r) => r.status === 500);
    // Tried all along the outage (10 s, doubling to 30 s: at least 5 refusals), with one key, then accepted once.
    expect(refused.length).toBeGreaterThanOrEqual(5);
    expect(new Set(receiver.received.map((r) => r.key))).toEqual(new Set([accepted!.key]));
    expect(accepted).toMatchObject({ signatureOk: true, body: { alarm: { panelId: 'PANEL_A', type: 'VOLTAGE_OUT_OF_RANGE' }, transition: { kind: 'RAISED' } } });
    // Nothing after the success, however long the process runs on.
    const received = receiver.received.length;
    await new Promise((resolve) => setTimeout(resolve, 35_000));
    expect(receiver.received.length).toBe(received);
  });

  it('a receiver answering 500 for a while gets each notification exactly once afterwards, signed, with its idempotency key', { timeout: 60_000 }, async () => {
    let down = true;
    const receiver = await startReceiver(cleanup, () => (down ? 500 : 204));
    const admin = makeKey('admin', 'admin');
    const app = await startTestApp({ ...FAST, AUTH: 'required', API_KEYS: admin.entry, ALARM_WEBHOOK_URL: receiver.url, ALARM_WEBHOOK_SECRET: SECRET }, undefined, { cleanup });
    // Two panels out of band for 6 min (raised), one of them back in band for 6 min (cleared).
    seed(app.app, readings('PANEL_A', [236, 236, 236, 236, 236, 236, 236, 225, 225, 225, 225, 225, 225, 225]));
    seed(app.app, readings('PANEL_B', [190, 190, 190, 190, 190, 190, 190]));
    // Failing attempts pile up while the receiver is down.
    await expect.poll(() => receiver.received.filter((r) => r.status === 500).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(9);
    down = false;
    const acceptedTransitions = () => [...new Map(receiver.received.filter((r) => r.status === 204).map((r) => [r.key, `${r.body.alarm.panelId} ${r.body.alarm.type} ${r.body.transition.kind}`])).values()].sort();
    // Named transitions rather than a count, so a failure says which notification was extra or missing.
    await expect.poll(acceptedTransitions, { timeout: 20_000 }).toEqual(['PANEL_A VOLTAGE_OUT_OF_RANGE CLEARED', 'PANEL_A VOLTAGE_OUT_OF_RANGE RAISED', 'PANEL_B VOLTAGE_OUT_OF_RANGE RAISED']);
    // Each transition was accepted once: no delivery after its success.
    const accepted = receiver.received.filter((r) => r.status === 204);
    expect(accepted.map((r) => r.key).sort()).toEqual([...new Set(accepted.map((r) => r.key))].sort());
    expect(accepted.map((r) => `${r.body.alarm.panelId} ${r.body.transition.kind}`).sort()).toEqual(['PANEL_A CLEARED', 'PANEL_A RAISED', 'PANEL_B RAISED']);
    expect(accepted.every((r) => r.signatureOk && r.key === r.body.transition.id)).toBe(true);
    // Retries carry the same key as the first attempt.
    for (const r of accepted) expect(receiver.received.filter((x) => x.key === r.key).length).toBeGreaterThan(1);
    // Every attempt is visible to operators.
    const { notificationDeliveries } = await httpData<{ notificationDeliveries: Array<{ state: string; attemptCount: number; attempts: Array<{ ok: boolean; detail: string }> }> }, unknown>(
      app.httpUrl,
      '{ notificationDeliveries { state attemptCount attempts { ok detail } } }',
      {},
      bearer(admin.key),
    );
    expect(notificationDeliveries).toHaveLength(3);
    for (const delivery of notificationDeliveries) {
      expect(delivery.state).toBe('SENT');
      expect(delivery.attempts.at(-1)).toEqual({ ok: true, detail: 'HTTP 204' });
      expect(delivery.attempts.slice(0, -1).every((a) => !a.ok && a.detail.includes('answered 500') && !a.detail.includes('token=abc'))).toBe(true);
    }
  });

  it('gives up after the retry schedule: a dead letter, with every attempt, visible to operators', { timeout: 60_000 }, async () => {
    const receiver = await startReceiver(cleanup, () => 500);
    const admin = makeKey('admin', 'admin');
    const app = await startTestApp(
      { ...FAST, ALARM_NOTIFY_RETRY_FIRST: '50ms', ALARM_NOTIFY_RETRY_MAX: '50ms', ALARM_NOTIFY_RETRY_FOR: '100ms', AUTH: 'required', API_KEYS: admin.entry, ALARM_WEBHOOK_URL: receiver.url },
      undefined,
      { cleanup },
    );
    seed(app.app, readings('PANEL_A', [240, 240, 240, 240, 240, 240, 240]));
    const dead = async () =>
      (
        await httpData<{ notificationDeliveries: Array<{ state: string; attemptCount: number; lastError: string | null; attempts: Array<{ ok: boolean }> }> }, unknown>(
          app.httpUrl,
          '{ notificationDeliveries(state: DEAD) { state attemptCount lastError attempts { ok } } }',
          {},
          bearer(admin.key),
        )
      ).notificationDeliveries;
    // The first attempt and two retries (50 ms, 50 ms: 100 ms of retrying), then no more.
    await expect.poll(dead, { timeout: 20_000 }).toEqual([{ state: 'DEAD', attemptCount: 3, lastError: expect.stringContaining('answered 500'), attempts: [{ ok: false }, { ok: false }, { ok: false }] }]);
    expect(receiver.received).toHaveLength(3);
  });

  it('the outbox survives a restart: what was not delivered before the stop is delivered after it, once', { timeout: 60_000 }, async () => {
    let down = true;
    const receiver = await startReceiver(cleanup, () => (down ? 503 : 200));
    const dir = tempDir(cleanup);
    const env = { ...FAST, ALARM_WEBHOOK_URL: receiver.url, ALARM_WEBHOOK_SECRET: SECRET };
    const first = await startTestApp(env, dir, { cleanup });
    seed(first.app, readings('PANEL_A', [240, 240, 240, 240, 240, 240, 240]));
    await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    await first.stop();
    down = false;
    const tried = receiver.received.length;
    const refused = new Set(receiver.received.map((r) => r.key));
    await startTestApp(env, dir, { cleanup });
    // Every notification refused before the stop is delivered after it, and each one once (by its
    // idempotency key). Which transitions there are is the rules' business; the raise is one.
    const delivered = () => receiver.received.filter((r) => r.status === 200);
    const described = () => JSON.stringify(delivered().map((r) => ({ key: r.key, kind: r.body.transition.kind, type: r.body.alarm.type })));
    await expect.poll(() => [...refused].filter((key) => !delivered().some((r) => r.key === key)), { timeout: 20_000 }).toEqual([]);
    expect(receiver.received.length).toBeGreaterThan(tried);
    const keys = delivered().map((r) => r.key);
    expect(keys.length, described()).toBe(new Set(keys).size);
    expect(delivered().map((r) => r.body), described()).toContainEqual(
      expect.objectContaining({ transition: expect.objectContaining({ kind: 'RAISED' }), alarm: expect.objectContaining({ panelId: 'PANEL_A', type: 'VOLTAGE_OUT_OF_RANGE' }) }),
    );
  });

  it('testNotificationChannel sends a signed test message; an admin channel keeps its secret write-only', { timeout: 60_000 }, async () => {
    const receiver = await startReceiver(cleanup, () => 202);
    const admin = makeKey('admin', 'admin');
    const app = await startTestApp({ AUTH: 'required', API_KEYS: admin.entry }, undefined, { cleanup });
    const set = await httpData<{ setNotificationChannel: { channel: Record<string, unknown>; userErrors: unknown[] } }, unknown>(
      app.httpUrl,
      `mutation($url: String!, $secret: String) { setNotificationChannel(input: { id: "ops", kind: WEBHOOK, target: $url, secret: $secret, severities: [CRITICAL, MAJOR] }) {
        channel { id kind target severities hasSecret } userErrors { code } } }`,
      { url: receiver.url, secret: SECRET },
      bearer(admin.key),
    );
    expect(set.setNotificationChannel).toEqual({ channel: { id: 'ops', kind: 'WEBHOOK', target: receiver.url.replace('?token=abc', ''), severities: ['CRITICAL', 'MAJOR'], hasSecret: true }, userErrors: [] });
    const test = await httpData<{ testNotificationChannel: unknown }, unknown>(app.httpUrl, 'mutation { testNotificationChannel(id: "ops") { delivered detail userErrors { code } } }', {}, bearer(admin.key));
    expect(test.testNotificationChannel).toEqual({ delivered: true, detail: 'HTTP 202', userErrors: [] });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.signatureOk).toBe(true);
    // The secret is in no answer and no record.
    const changes = await httpData<{ adminChanges: { nodes: Array<{ change: string }> } }, unknown>(app.httpUrl, '{ adminChanges { nodes { change } } }', {}, bearer(admin.key));
    expect(JSON.stringify(changes)).not.toContain(SECRET);
    expect(JSON.stringify(app.logs)).not.toContain(SECRET);
  });
});

describe('e-mail notifications (the smtp-server package as a real SMTP server)', () => {
  it('sends raise and clear over STARTTLS with a login', { timeout: 60_000 }, async () => {
    const mails: Array<{ from: string; to: string[]; text: string; secure: boolean; user: string | undefined }> = [];
    const smtp = new SMTPServer({
      authOptional: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'alarms' && auth.password === 'smtp-pass') callback(null, { user: auth.username });
        else callback(new Error('bad login'));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            text: Buffer.concat(chunks).toString('utf8'),
            secure: session.secure,
            user: typeof session.user === 'string' ? session.user : undefined,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    cleanup.add(() => new Promise<void>((resolve) => smtp.close(() => resolve())));
    const address = smtp.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const app = await startTestApp(
      {
        ...FAST,
        ALARM_EMAIL_TO: 'facility@example.co.id',
        ALARM_SMTP_HOST: '127.0.0.1',
        ALARM_SMTP_PORT: String(port),
        ALARM_SMTP_USER: 'alarms',
        ALARM_SMTP_PASSWORD: 'smtp-pass',
        ALARM_SMTP_FROM: 'energy@example.co.id',
        // smtp-server's STARTTLS uses its own self-signed certificate.
        ALARM_SMTP_ALLOW_INVALID_CERT: 'true',
      },
      undefined,
      { cleanup },
    );
    seed(app.app, readings('PANEL_A', [190, 190, 190, 190, 190, 190, 190, 225, 225, 225, 225, 225, 225, 225]));
    await expect.poll(() => mails.length, { timeout: 20_000 }).toBe(2);
    for (const mail of mails) expect(mail).toMatchObject({ from: 'energy@example.co.id', to: ['facility@example.co.id'], secure: true, user: 'alarms' });
    const subjects = mails.map((m) => /^Subject: (.*)$/m.exec(m.text)?.[1]).sort();
    expect(subjects).toEqual(['[MAJOR] VOLTAGE_OUT_OF_RANGE cleared: PANEL_A', '[MAJOR] VOLTAGE_OUT_OF_RANGE raised: PANEL_A']);
  });
});

describe('reminders and ALARM_NOTIFY_MIN_INTERVAL (the notifier over the alarm service, on a clock the test moves)', () => {
  async function rigWithNotifier(minIntervalMs: number, sendAcknowledged = false) {
    let now = T0;
    const receiver = await startReceiver(cleanup, () => 204);
    const dir = tempDir(cleanup);
    const rig = await openRig(cleanup, dir, { now: () => now });
    const outbox = new SqliteAlarmStore(join(dir, 'outbox.sqlite'));
    cleanup.add(() => outbox.close());
    const notifier = new Notifier({
      alarms: rig.service,
      outbox,
      secrets: outbox,
      retryDelaysMs: [50],
      minIntervalMs,
      smtp: null,
      logger: silentLogger,
      now: () => now,
      reminderCheckMs: 20,
    });
    cleanup.add(() => notifier.stop());
    notifier.start();
    await rig.settings.record('admin', {
      kind: 'notification.channel',
      channelId: 'ops',
      enabled: true,
      channel: 'WEBHOOK',
      target: receiver.url,
      severities: [],
      types: [],
      panelIds: [],
      sendAcknowledged,
      reminderMinutes: 10,
      reminderSeverities: ['MAJOR'],
      secretId: null,
    });
    return { rig, receiver, setNow: (t: number) => void (now = t) };
  }

  it('routes by severity, type and panel: each channel gets only the alarms it asked for', { timeout: 60_000 }, async () => {
    const { rig, receiver: everything } = await rigWithNotifier(1);
    const floorB = await startReceiver(cleanup, () => 204);
    const major = await startReceiver(cleanup, () => 204);
    const channel = { kind: 'notification.channel' as const, enabled: true, channel: 'WEBHOOK' as const, sendAcknowledged: false, reminderMinutes: 0, reminderSeverities: [], secretId: null };
    await rig.settings.record('admin', { ...channel, channelId: 'floor-b', target: floorB.url, severities: [], types: ['VOLTAGE_UNBALANCE'], panelIds: ['PANEL_B'] });
    await rig.settings.record('admin', { ...channel, channelId: 'major', target: major.url, severities: ['MAJOR'], types: [], panelIds: [] });
    // PANEL: out of band (MAJOR) and unbalanced (MINOR); PANEL_B: unbalanced (MINOR).
    rig.feed(minutes(T0, 12, () => ({ ...volts(240), voltageUnbalance: 3 })));
    rig.feed(minutes(T0, 12, () => ({ voltageUnbalance: 3 }), 'PANEL_B'));
    const sent = (to: { received: Received[] }) => to.received.map((r) => `${r.body.alarm.panelId} ${r.body.alarm.type}`).sort();
    await expect.poll(() => sent(everything)).toEqual([`${PANEL} VOLTAGE_OUT_OF_RANGE`, `${PANEL} VOLTAGE_UNBALANCE`, 'PANEL_B VOLTAGE_UNBALANCE']);
    await expect.poll(() => sent(floorB)).toEqual(['PANEL_B VOLTAGE_UNBALANCE']);
    await expect.poll(() => sent(major)).toEqual([`${PANEL} VOLTAGE_OUT_OF_RANGE`]);
    // Nothing else on its way: the notifier had time to send more (it retries every 50 ms here).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([sent(floorB), sent(major)]).toEqual([['PANEL_B VOLTAGE_UNBALANCE'], [`${PANEL} VOLTAGE_OUT_OF_RANGE`]]);
  });

  it('reminds every N minutes of an alarm left ACTIVE_UNACK, once per period, and stops once acknowledged', { timeout: 60_000 }, async () => {
    const { rig, receiver, setNow } = await rigWithNotifier(1);
    rig.feed(minutes(T0 - 7 * M, 8, () => volts(240)));
    await expect.poll(() => receiver.received.map((r) => r.body.transition.kind)).toEqual(['RAISED']);
    const [alarm] = rig.service.list(null);
    setNow(alarm!.startedAt.getTime() + 25 * M);
    await expect.poll(() => receiver.received.map((r) => r.body.transition.kind)).toEqual(['RAISED', 'REMINDER']);
    setNow(alarm!.startedAt.getTime() + 31 * M);
    await expect.poll(() => receiver.received.map((r) => r.body.transition.kind)).toEqual(['RAISED', 'REMINDER', 'REMINDER']);
    await rig.service.acknowledge('operator', [alarm!.id], null);
    setNow(alarm!.startedAt.getTime() + 60 * M);
    // A new raise elsewhere is sent after the acknowledgement: had a reminder been due, it would have come before it.
    rig.feed(minutes(T0, 12, () => ({ voltageUnbalance: 3 }), 'PANEL_B'));
    await expect.poll(() => receiver.received.map((r) => r.body.transition.kind)).toEqual(['RAISED', 'REMINDER', 'REMINDER', 'RAISED']);
    expect(new Set(receiver.received.map((r) => r.key)).size).toBe(4);
  });

  it('a flapping panel gets at most one notification per interval per type and channel; none is lost', { timeout: 60_000 }, async () => {
    const { rig, receiver, setNow } = await rigWithNotifier(10 * M);
    // Raised, cleared, raised again: three transitions at once on the notifier's clock.
    rig.feed(minutes(T0, 30, (i) => volts(i < 7 ? 240 : i < 20 ? 225 : 240)));
    await expect.poll(() => receiver.received.map((r) => r.body.transition.kind)).toEqual(['RAISED']);
    setNow(T0 + 10 * M);
    await expect.poll(() => receiver.received.map((r) => r.body.transition.kind)).toEqual(['RAISED', 'CLEARED']);
    setNow(T0 + 20 * M);
    await expect.poll(() => receiver.received.map((r) => r.body.transition.kind)).toEqual(['RAISED', 'CLEARED', 'RAISED']);
    expect(new Set(receiver.received.map((r) => r.body.alarm.id)).size).toBe(2);
  });

  it('sends acknowledgements to a channel that asks for them, with who and the note', { timeout: 60_000 }, async () => {
    const { rig, receiver, setNow } = await rigWithNotifier(1, true);
    rig.feed(minutes(T0 - 7 * M, 8, () => volts(240)));
    await expect.poll(() => receiver.received.map((r) => r.body.transition.kind)).toEqual(['RAISED']);
    const [alarm] = rig.service.list(null);
    setNow(T0 + M);
    await rig.service.acknowledge('key:ops', [alarm!.id], 'on it');
    await expect.poll(() => receiver.received.map((r) => r.body.transition.kind)).toEqual(['RAISED', 'ACKNOWLEDGED']);
    expect(receiver.received[1]!.body.alarm).toMatchObject({ id: alarm!.id, state: 'ACTIVE_ACK', acknowledgedBy: 'key:ops', note: 'on it' });
  });
});
