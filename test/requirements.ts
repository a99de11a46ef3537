import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * What some suites need beyond Node and npm, and how to get it. `npm test` on a machine with only
 * Node skips those suites (vitest.config.ts leaves their files out), says so once per missing
 * program at the start, and lists what was skipped again at the end (test/skip-summary.ts), so a
 * green run is never mistaken for a full one. `.ci/run` installs everything and runs them all.
 */
export interface Requirement {
  readonly what: string;
  /** How to get it. */
  readonly install: string;
  readonly present: boolean;
  /** The test files that cannot run without it (relative to the project root). */
  readonly files: readonly string[];
  /** What else is skipped without it (single tests that skip themselves). */
  readonly alsoSkips?: string;
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export const REQUIREMENTS: readonly Requirement[] = [
  {
    what: 'Mosquitto',
    install: 'apt-get install -y mosquitto',
    present: onPath('mosquitto') && onPath('mosquitto_passwd'),
    files: [
      'test/ingest/mosquitto.test.ts',
      'test/ingest/garbage.test.ts',
      'test/mqtt/external-broker.test.ts',
      'test/mqtt/safe-defaults.test.ts',
      'test/compose/mosquitto-entrypoint.test.ts',
      'test/simulators/backfill.test.ts',
      'test/simulators/simulator.test.ts',
      'test/simulators/cli.test.ts',
      'test/cluster/cluster.test.ts',
      'test/cluster/durability.test.ts',
      'test/cluster/failure-drills.test.ts',
      'test/security/feed-admission.test.ts',
      'test/alarms/cluster.test.ts',
      'test/security/secrets.test.ts',
      'test/security/socket-revocation.test.ts',
      // Password files made by mosquitto_passwd itself (test/mqtt/tls-certs.ts).
      'test/mqtt/broker-access.test.ts',
      'test/mqtt/embedded-access.test.ts',
      'test/mqtt/embedded-tls.test.ts',
      'test/security/mqtt-identities.test.ts',
      'test/security/safe-defaults.test.ts',
    ],
  },
  {
    what: 'Chromium',
    install: 'apt-get install -y chromium',
    present: existsSync('/usr/bin/chromium'),
    files: [
      'test/browser/dashboard.test.ts',
      'test/browser/charts.test.ts',
      'test/browser/figures.test.ts',
      'test/browser/language.test.ts',
      'test/browser/report.test.ts',
      'test/browser/views.test.ts',
      'test/browser/alarms.test.ts',
      'test/browser/alarm-list.test.ts',
      'test/browser/comparisons.test.ts',
      'test/browser/demand.test.ts',
      'test/browser/downloads.test.ts',
    ],
  },
  {
    what: 'poppler-utils (pdftotext, pdfinfo)',
    install: 'apt-get install -y poppler-utils',
    present: onPath('pdftotext') && onPath('pdfinfo'),
    files: ['test/browser/report.test.ts'],
  },
  {
    what: 'Caddy',
    install: 'apt-get install -y caddy',
    present: onPath('caddy'),
    files: [],
    alsoSkips: 'the Caddyfile check in test/compose/compose.test.ts',
  },
  {
    what: 'InfluxDB',
    install: 'npm run test:influx (builds and starts a local InfluxDB 2.7, see scripts/local-influxdb.sh)',
    present: Boolean(process.env.INFLUX_URL?.trim()),
    files: [],
    alsoSkips: 'every suite against a real InfluxDB (they skip themselves without INFLUX_URL)',
  },
];

/** Test files left out because what they need is missing. */
export function skippedFiles(): string[] {
  return REQUIREMENTS.filter((r) => !r.present).flatMap((r) => r.files);
}

/** One line per missing requirement: what is skipped and what to install. */
export function skipLines(): string[] {
  return REQUIREMENTS.filter((r) => !r.present).map((r) => {
    const skipped = [r.files.length > 0 ? `${r.files.length} test files` : '', r.alsoSkips ?? ''].filter(Boolean).join(' and ');
    return `[tests] No ${r.what}: ${skipped} SKIPPED. Install: ${r.install}`;
  });
}
