import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// The bench process runs through tsx without --expose-gc: the flag is set once here instead, so
// the collection works however the benchmark was started (npm run bench, node --trace-gc ...).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * A full collection of the benchmark's own heap, before a timed load. The load generator shares
 * the product's two cores and its answers' latencies include its own pauses: what seeding a store
 * left behind (line 6: 864 write requests, then the first start) would otherwise be marked and
 * compacted during the timed rounds, holding up every answer in flight (docs/benchmarks.md,
 * eleventh pass).
 */
export function collectOwnGarbage(): void {
  gc();
}
