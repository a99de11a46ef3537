/**
 * Summarizes a V8 .cpuprofile (from `BENCH_CPU_PROF=1 npm run bench`): the functions with the most
 * self time, and inclusive time of every function whose name or file matches an optional filter.
 *
 *   npx tsx test/bench/profile-summary.ts test/bench/results/profiles/<file>.cpuprofile [top] [filter] [from-to]
 *
 * `from-to` (seconds since the profile started, e.g. `0-5`) keeps only the samples in that span:
 * the start-up of a product process, say.
 */
import { frameLabel as label, readCpuProfile, samplesIn } from './cpu-profile.js';

const [file, topArg, filterArg, spanArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [top=30] [filter] [from-to seconds]');
  process.exit(2);
}
const filter = filterArg && filterArg !== '-' ? filterArg : undefined;
const span = spanArg ? spanArg.split('-').map(Number) : null;
if (span && (span.length !== 2 || span.some((v) => !Number.isFinite(v)))) {
  console.error(`bad span "${spanArg}": expected from-to in seconds, e.g. 0-5`);
  process.exit(2);
}
const { profile, byId, parent } = readCpuProfile(file);
const top = Number(topArg ?? 30);

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
for (const { node, id, dt } of samplesIn(profile, byId, span)) {
  total += dt;
  self.set(label(node), (self.get(label(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const name = label(byId.get(cur)!);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
  }
}

const print = (title: string, entries: Map<string, number>, predicate: (name: string) => boolean) => {
  console.log(`\n${title}`);
  [...entries]
    .filter(([name]) => predicate(name))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([name, us]) => console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((us / total) * 100).toFixed(1).padStart(5)} %  ${name}`));
};
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled${span ? ` between ${span[0]} s and ${span[1]} s` : ''}`);
print('self time', self, () => true);
print(`inclusive time${filter ? ` (matching "${filter}")` : ''}`, inclusive, (name) => !filter || name.includes(filter));
