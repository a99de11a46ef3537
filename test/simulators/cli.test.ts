import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BROKER_URL, collect, disposer, expectMeterPayload, testPanels } from './support.js';

const cleanup = disposer();
afterEach(() => cleanup.run());

interface RunOptions {
  readonly env?: Record<string, string | undefined>;
  readonly via?: 'npx' | 'loader';
  /** Where the kill-if-still-running cleanup goes; concurrent tests need their own. */
  readonly onCleanup?: (cleanup: () => Promise<void>) => void;
}

interface Run {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exit: Promise<number | null>;
}

/**
 * Runs the CLI. `npx tsx` is what `npm run simulate` does; the loader form (`node --import tsx`)
 * runs it without tsx's wrapper process, so a signal sent by the test reaches the CLI itself.
 */
function run(
  args: string[],
  { env = {}, via = 'loader', onCleanup = cleanup.add }: RunOptions = {},
): Run {
  const [command, prefix] = via === 'npx' ? ['npx', ['tsx']] : [process.execPath, ['--import', 'tsx']];
  const child = spawn(command, [...prefix, 'src/simulators/cli.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, LOG_LEVEL: 'silent', MQTT_URL: undefined, MQTT_USERNAME: undefined, MQTT_PASSWORD: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exit;
    }
  });
  return { child, output, exit };
}

describe('simulate CLI', () => {
  it('publishes one round of the given panels and exits 0', async () => {
    const panels = testPanels(2);
    const received = await collect(panels);
    cleanup.add(() => received.close());

    const cli = run(['--url', BROKER_URL, '--panels', panels.join(','), '--rounds', '1', '--timezone', 'Asia/Jayapura'], { via: 'npx' });
    expect(await cli.exit, cli.output.stderr).toBe(0);
    await vi.waitFor(() => expect(received.messages).toHaveLength(2));
    expect(new Set(received.messages.map((message) => message.panelId))).toEqual(new Set(panels));
    for (const message of received.messages) expectMeterPayload(message.payload);
  });

  it('backfills on the broker and topic of the product settings, reports its totals, and stops by itself', async () => {
    const panels = testPanels(2);
    const received = await collect(panels, BROKER_URL, 'simtest/PM');
    cleanup.add(() => received.close());

    const cli = run(['--panels', panels.join(','), '--backfill', '10m', '--step', '1m'], {
      env: { MQTT_URL: BROKER_URL, MQTT_TOPIC: 'simtest/PM/#' },
    });
    expect(await cli.exit, cli.output.stderr).toBe(0);
    // Ten minutes of history; an eleventh reading only when a minute began while it ran (catch-up).
    await vi.waitFor(() => expect(received.forPanel(panels[1]!).length).toBeGreaterThanOrEqual(10));
    for (const panel of panels) {
      const times = received.forPanel(panel).map((message) => expectMeterPayload(message.payload).time);
      expect(times.length).toBeLessThanOrEqual(11);
      expect(times.every((time) => time.endsWith(':00'))).toBe(true);
    }
    // Not a terminal: plain lines on stderr, the same total at the start and at the end.
    expect(cli.output.stderr).toContain(`backfill: 20 readings of 2 panel(s) to publish to ${BROKER_URL}`);
    expect(cli.output.stderr).toMatch(/backfill: done: 20 of 20 readings(, then [12] to reach the current time)? in \d+s/);
  });

  it('keeps publishing live readings after the backfill when asked to', async () => {
    const panels = testPanels(1);
    const received = await collect(panels);
    cleanup.add(() => received.close());

    const cli = run(['--url', BROKER_URL, '--panels', panels[0]!, '--backfill', '2m', '--step', '1m', '--live', '--interval', '1s']);
    // The history (two readings, a third when a minute began meanwhile), then live ones.
    await vi.waitFor(() => expect(received.messages.length).toBeGreaterThanOrEqual(5), { timeout: 15_000 });
    expect(cli.child.exitCode).toBeNull();
    cli.child.kill('SIGINT');
    expect(await cli.exit, cli.output.stderr).toBe(0);
  });

  it('stops cleanly on Ctrl-C', async () => {
    const panels = testPanels(1);
    const received = await collect(panels);
    cleanup.add(() => received.close());

    const cli = run(['--url', BROKER_URL, '--panels', panels[0]!, '--interval', '1s']);
    await vi.waitFor(() => expect(received.messages.length).toBeGreaterThan(0), { timeout: 10_000 });
    cli.child.kill('SIGINT');
    expect(await cli.exit, cli.output.stderr).toBe(0);
  });

  it('prints usage for --help', async () => {
    const cli = run(['--help']);
    expect(await cli.exit).toBe(0);
    expect(cli.output.stdout).toContain('--backfill');
  });

  it.concurrent.for<[string[], RegExp]>([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--interval', 'soon'], /--interval: "soon" is not a duration/],
    [['--interval', '500ms'], /--interval must be at least 1s/],
    [['--rounds', '-1'], /--rounds/],
    [['--count', '0'], /--count: "0" is not a whole number/],
    [['--count', '2', '--panels', 'A,B'], /either --panels or --count/],
    [['--panels', 'A,B/C'], /--panels: panel id "B\/C"/],
    [['--backfill', '1x'], /--backfill: "1x"/],
    [['--rate', '100'], /--rate only applies with --backfill/],
    [['--live'], /--live only applies with --backfill/],
    [['--timezone', 'Mars/Base'], /--timezone: "Mars\/Base"/],
    [['--url', 'http://localhost'], /--url/],
    [['extra'], /positional/],
  ])('exits 2 with a message for %j', async ([args, message], { expect, onTestFinished }) => {
    const cli = run(args, { onCleanup: onTestFinished });
    expect(await cli.exit).toBe(2);
    expect(cli.output.stderr).toMatch(message);
    expect(cli.output.stderr).toContain('--help');
  });

  it('exits 2 for a bad environment and 1 for an unreachable broker', async () => {
    const badEnv = run([], { env: { MQTT_PORT: 'eighteen' } });
    const noBroker = run(['--url', 'mqtt://127.0.0.1:1', '--rounds', '1']);
    expect(await badEnv.exit).toBe(2);
    expect(badEnv.output.stderr).toMatch(/MQTT_PORT="eighteen"/);
    expect(await noBroker.exit).toBe(1);
    expect(noBroker.output.stderr).toMatch(/cannot connect to MQTT broker mqtt:\/\/127\.0\.0\.1:1/);
  });
});
