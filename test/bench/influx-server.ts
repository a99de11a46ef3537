import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The script that builds (once, cached) and runs a real InfluxDB 2.7 on loopback. */
export const INFLUX_SCRIPT = fileURLToPath(new URL('../../scripts/local-influxdb.sh', import.meta.url));

/** Where scripts/local-influxdb.sh keeps its binary (the same defaults as the script). */
export function influxBinaryPath(): string {
  const version = process.env.INFLUXDB_VERSION ?? 'v2.7.12';
  const cache =
    process.env.INFLUXDB_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'energy-monitoring', 'influxdb');
  return join(cache, version, 'influxd');
}

export function influxBinaryCached(): boolean {
  return existsSync(influxBinaryPath());
}

export interface InfluxServer {
  readonly url: string;
  readonly token: string;
  readonly org: string;
  /** The bucket the setup created. */
  readonly bucket: string;
  readonly dir: string;
  readonly pid: number;
  readonly description: string;
  /** Creates a bucket (no expiry) in the org and returns its name. */
  createBucket(name: string): Promise<string>;
  /** Runs a Flux query, returns the annotated CSV. */
  query(flux: string): Promise<string>;
  stop(): Promise<void>;
}

function run(args: string[], options: { inheritStderr?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    if (options.inheritStderr) {
      const child = spawn(INFLUX_SCRIPT, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${INFLUX_SCRIPT} ${args.join(' ')} exited with ${code}`))));
      return;
    }
    execFile(INFLUX_SCRIPT, args, { maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${INFLUX_SCRIPT} ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** Builds InfluxDB with the script (tens of minutes on 2 cores the first time; cached after). */
export async function buildInflux(): Promise<void> {
  await run(['build'], { inheritStderr: true });
}

/** Starts a private InfluxDB with its data in `dir` (the script sets up org, bucket and token). */
export async function startInflux(dir: string): Promise<InfluxServer> {
  mkdirSync(dir, { recursive: true });
  const output = await run(['start', dir]);
  const env = Object.fromEntries(
    output
      .split('\n')
      .map((line) => /^([A-Z_]+)=(.*)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
  const { INFLUX_URL: url, INFLUX_TOKEN: token, INFLUX_ORG: org, INFLUX_BUCKET: bucket } = env;
  const pid = Number(env.INFLUXD_PID);
  if (!url || !token || !org || !bucket || !Number.isInteger(pid)) throw new Error(`unexpected output of ${INFLUX_SCRIPT} start:\n${output}`);
  // Never outlive the benchmark, even when it dies on an error (this pid is the server we started).
  const killOnExit = () => {
    try {
      process.kill(pid);
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);
  const headers = { Authorization: `Token ${token}` };
  let orgId: string | null = null;
  const server: InfluxServer = {
    url,
    token,
    org,
    bucket,
    dir,
    pid,
    description: `InfluxDB ${process.env.INFLUXDB_VERSION ?? 'v2.7.12'} (${influxBinaryPath()}) at ${url}, data in the run's temporary directory`,
    async createBucket(name) {
      if (orgId === null) {
        const response = await fetch(`${url}/api/v2/orgs?${new URLSearchParams({ org })}`, { headers });
        const body = (await response.json()) as { orgs?: Array<{ id: string; name: string }> };
        orgId = body.orgs?.find((o) => o.name === org)?.id ?? null;
        if (orgId === null) throw new Error(`InfluxDB: organization ${org} not found`);
      }
      const response = await fetch(`${url}/api/v2/buckets`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({ orgID: orgId, name, retentionRules: [] }),
      });
      if (!response.ok) throw new Error(`InfluxDB: creating bucket ${name}: HTTP ${response.status} ${await response.text()}`);
      return name;
    },
    async query(flux) {
      const response = await fetch(`${url}/api/v2/query?${new URLSearchParams({ org })}`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/vnd.flux', Accept: 'application/csv' },
        body: flux,
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`InfluxDB query failed: HTTP ${response.status} ${text.slice(0, 300)}`);
      return text;
    },
    async stop() {
      process.off('exit', killOnExit);
      await run(['stop', dir]);
    },
  };
  return server;
}

/** The number of points of one field in a bucket (a work check that every point arrived). */
export async function countPoints(server: InfluxServer, bucket: string, field = 'energy_kwh'): Promise<number> {
  const csv = await server.query(
    `from(bucket: ${JSON.stringify(bucket)}) |> range(start: 0) |> filter(fn: (r) => r._field == ${JSON.stringify(field)}) |> group() |> count()`,
  );
  // Annotated CSV without annotations: a header row then one row; _value is the count.
  const lines = csv.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length < 2) return 0;
  const header = lines[0]!.split(',');
  const row = lines[1]!.split(',');
  return Number(row[header.indexOf('_value')]);
}
