import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { countPoints, type InfluxServer } from './influx-server.js';
import { meterPayload } from './meters.js';
import { startProduct, uniqueName, type Product } from './product.js';
import { fmt, type Report } from './report.js';
import { minuteFloor, panelIds } from './seed.js';

export interface AckPathOptions {
  readonly brokerUrl: string;
  readonly workDir: string;
  readonly influx: InfluxServer;
  /** Member counts for the InfluxDB acknowledgement path, e.g. [1, 2, 3]. */
  readonly members: readonly number[];
  readonly panels: number;
  readonly readingsPerPanel: number;
  /** MQTT connections the meters publish over (QoS 1). */
  readonly publishers: number;
}

interface AckPoint {
  readonly path: 'journal' | 'influx';
  readonly members: number;
  readonly readings: number;
  /** Readings/s from the first publish until the product had acknowledged every one to the broker. */
  readonly ackedRate: number;
  /** Readings/s from the first publish until InfluxDB held every one. */
  readonly inInfluxRate: number;
}

/**
 * Benchmark 3c: the acknowledgement paths. `journal`: one process without MQTT_SHARED_GROUP, which
 * acknowledges a group of readings once its local journal has committed it (the forwarder sends
 * it to InfluxDB afterwards). `influx`: 1, 2 and 3 members with MQTT_SHARED_GROUP, which
 * acknowledge a group only once InfluxDB has confirmed it (group commit: a group's acknowledgements
 * wait while the next groups are received and journaled, up to the MQTT 5 Receive Maximum of
 * unacknowledged messages per connection). Stored readings/s per member count: how fast the
 * broker's messages become acknowledged, and how fast InfluxDB gets them.
 */
export async function benchAckPath(report: Report, options: AckPathOptions): Promise<void> {
  const runs: Array<{ path: AckPoint['path']; members: number }> = [
    { path: 'journal', members: 1 },
    ...options.members.map((members) => ({ path: 'influx' as const, members })),
  ];
  const points: AckPoint[] = [];
  for (const { path, members } of runs) {
    const bucket = await options.influx.createBucket(uniqueName('ack'));
    const root = uniqueName('ACK');
    const env: Record<string, string> = {
      INFLUX_URL: options.influx.url,
      INFLUX_TOKEN: options.influx.token,
      INFLUX_ORG: options.influx.org,
      INFLUX_BUCKET: bucket,
      INFLUX_ADMIN_BUCKET: `${bucket}_admin`,
      MQTT_TOPIC: `${root}/PM/#`,
      MQTT_FEED_TOPIC: `${root}/feed`,
      OFFLINE_AFTER: '1h',
      ...(path === 'influx' ? { MQTT_SHARED_GROUP: root } : {}),
    };
    const products = await Promise.all(
      Array.from({ length: members }, (_, i) =>
        startProduct({ dataDir: join(options.workDir, `ack-${path}-${members}-${i}`), mqttUrl: options.brokerUrl, name: `ack-${path}-${members}-p${i}`, env }),
      ),
    );
    let stopping = false;
    // A product that fails says why (the child host reports uncaught errors before it exits).
    for (const product of products) {
      product.child.next<{ type: string; message?: string }>('fatal', 3_600_000).then(
        (fatal) => console.error(`  product failed: ${fatal.message ?? ''}`),
        (error: unknown) => {
          if (!stopping) console.error(`  product ended: ${String(error)}`);
        },
      );
    }
    const publishers: MqttClient[] = [];
    try {
      for (let i = 0; i < options.publishers; i++) publishers.push(await mqtt.connectAsync(options.brokerUrl, { protocolVersion: 5 }));
      const total = options.panels * options.readingsPerPanel;
      const stored0 = await sum(products, 'energy_readings_stored_total');
      const end = minuteFloor(Date.now()).getTime() - 2 * 60_000;
      const start = end - (options.readingsPerPanel - 1) * 60_000;
      const names = panelIds(options.panels, root);
      const started = performance.now();
      const publishing = Promise.all(
        publishers.map(async (client, c) => {
          for (let m = 0; m < options.readingsPerPanel; m++) {
            const sends: Array<Promise<unknown>> = [];
            for (let p = c; p < names.length; p += publishers.length) {
              sends.push(client.publishAsync(`${root}/PM/${names[p]}`, meterPayload(names[p]!, start + m * 60_000, 1000 + p + m * 0.1, 6), { qos: 1 }));
            }
            await Promise.all(sends);
          }
        }),
      );
      // Awaited below; a failure meanwhile must not end the benchmark before the cause is reported.
      publishing.catch(() => undefined);
      // Acknowledged: every reading stored by some member and none waiting for its acknowledgement.
      await waitFor(
        async () => (await sum(products, 'energy_readings_stored_total')) - stored0 >= total && (await sum(products, 'energy_mqtt_unacknowledged_messages')) === 0,
        60_000,
        async () => {
          const gone = `${products.filter((product) => product.child.memory() === null).length} process(es) gone`;
          try {
            return `${gone}; stored ${(await sum(products, 'energy_readings_stored_total')) - stored0} of ${total}, unacknowledged ${await sum(products, 'energy_mqtt_unacknowledged_messages')}`;
          } catch (error) {
            return `${gone}; /metrics: ${String(error)} ${String((error as Error).cause)}`;
          }
        },
      );
      const ackedMs = performance.now() - started;
      await publishing;
      await waitFor(async () => (await countPoints(options.influx, bucket)) >= total, 300_000, async () => `InfluxDB holds ${await countPoints(options.influx, bucket)} of ${total}`);
      const influxMs = performance.now() - started;
      const inInflux = await countPoints(options.influx, bucket);
      report.check(`3c ${path} ${members}: InfluxDB holds every reading once`, inInflux === total, `${inInflux} of ${total}`);
      const point: AckPoint = { path, members, readings: total, ackedRate: total / (ackedMs / 1000), inInfluxRate: total / (influxMs / 1000) };
      points.push(point);
      console.log(`  ${path} path, ${members} process(es): acknowledged ${fmt.rate(point.ackedRate, 'readings/s')}, in InfluxDB ${fmt.rate(point.inInfluxRate, 'readings/s')}`);
    } finally {
      stopping = true;
      for (const client of publishers) await client.endAsync(true);
      await Promise.all(products.map((product) => product.child.stop()));
    }
  }

  report.note(
    `3c acknowledgement paths: ${options.panels} panels × ${options.readingsPerPanel} readings published as fast as the broker takes them over ` +
      `${options.publishers} MQTT connections (QoS 1) to one Mosquitto; "journal": one process acknowledging after its local journal commit ` +
      `(no MQTT_SHARED_GROUP); "influx": members with MQTT_SHARED_GROUP acknowledging only after InfluxDB confirmed the write. ` +
      `Products, broker, InfluxDB and publishers share this machine's cores.`,
  );
  const journal = points.find((point) => point.path === 'journal');
  for (const point of points) {
    report.line({
      benchmark: '3c ack path',
      measure: `${point.path === 'journal' ? 'journal ack, 1 process' : `InfluxDB ack, ${point.members} member(s)`}: stored (acknowledged) | in InfluxDB`,
      product: `${fmt.rate(point.ackedRate, 'r/s')} | ${fmt.rate(point.inInfluxRate, 'r/s')}`,
      baseline: journal ? 'journal ack, 1 process' : '',
      ratio: journal ? `acknowledged ${fmt.ratio(point.ackedRate / journal.ackedRate)}, in InfluxDB ${fmt.ratio(point.inInfluxRate / journal.inInfluxRate)}` : 'n/a',
    });
  }
  report.figures.ackPath = { options: { ...options, influx: options.influx.description }, points };
}

async function sum(products: readonly Product[], name: string): Promise<number> {
  const values = await Promise.all(
    products.map(async (product) => {
      const text = await (await fetch(product.httpUrl.replace(/\/graphql$/, '/metrics'))).text();
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    }),
  );
  return values.reduce((a, b) => a + b, 0);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, state?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // A scrape can meet a keep-alive socket the product just closed: that is a "not yet", not a failure.
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms${state ? ` (${await state().catch((error: unknown) => String(error))})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
