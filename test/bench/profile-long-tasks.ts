/**
 * The event loop's long tasks in a V8 .cpuprofile (from `BENCH_CPU_PROF=1 npm run bench`): runs of
 * consecutive samples that are not `(idle)`, at least `min` ms long, with what took their time.
 * Event-loop delay is made of these runs, so this says what to cut when its p99 is too high.
 *
 *   npx tsx test/bench/profile-long-tasks.ts <file.cpuprofile> [min ms=8] [from-to seconds] [top=8]
 */
import { frameLabel as label, readCpuProfile, samplesIn } from './cpu-profile.js';

const [file, minArg, spanArg, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-long-tasks.ts <file.cpuprofile> [min ms=8] [from-to seconds] [top=8]');
  process.exit(2);
}
const minUs = Number(minArg ?? 8) * 1000;
const span = spanArg && spanArg !== '-' ? spanArg.split('-').map(Number) : null;
const top = Number(topArg ?? 8);
const { profile, byId, parent } = readCpuProfile(file);

interface Task {
  readonly startUs: number;
  durationUs: number;
  readonly self: Map<string, number>;
  /** Frames of our own code (src/), inclusive: which request or job the time was spent for. */
  readonly ours: Map<string, number>;
}

const tasks: Task[] = [];
let busyUs = 0;
let sampledUs = 0;
let current: Task | null = null;
for (const { node, id, dt, at } of samplesIn(profile, byId, span)) {
  sampledUs += dt;
  if (node.callFrame.functionName === '(idle)') {
    if (current && current.durationUs >= minUs) tasks.push(current);
    current = null;
    continue;
  }
  busyUs += dt;
  current ??= { startUs: at, durationUs: 0, self: new Map(), ours: new Map() };
  current.durationUs += dt;
  current.self.set(label(node), (current.self.get(label(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const name = label(byId.get(cur)!);
    if (!name.includes(' src/') || seen.has(name)) continue;
    seen.add(name);
    current.ours.set(name, (current.ours.get(name) ?? 0) + dt);
  }
}
if (current !== null && (current as Task).durationUs >= minUs) tasks.push(current);

const ms = (us: number) => (us / 1000).toFixed(1);
const topOf = (entries: Map<string, number>) =>
  [...entries]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => `      ${ms(us).padStart(6)} ms  ${name}`)
    .join('\n');

console.log(`${file}: ${ms(sampledUs)} ms sampled, busy ${((busyUs / sampledUs) * 100).toFixed(1)} %; ${tasks.length} runs ≥ ${ms(minUs)} ms without idle`);
const durations = tasks.map((t) => t.durationUs).sort((a, b) => a - b);
if (durations.length) console.log(`  lengths: median ${ms(durations[durations.length >> 1]!)} ms, max ${ms(durations.at(-1)!)} ms`);
const allSelf = new Map<string, number>();
for (const task of tasks) for (const [name, us] of task.self) allSelf.set(name, (allSelf.get(name) ?? 0) + us);
console.log(`\nself time summed over those runs:\n${topOf(allSelf)}`);
for (const task of [...tasks].sort((a, b) => b.durationUs - a.durationUs).slice(0, top)) {
  console.log(`\n  ${ms(task.durationUs)} ms at ${(task.startUs / 1e6).toFixed(3)} s\n    self:\n${topOf(task.self)}\n    our frames (inclusive):\n${topOf(task.ours)}`);
}
