import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { areaOf, importCycles, importGraph } from './import-graph.js';

/**
 * Issue 22, point 7: the folders of src/ are floors, and no import climbs back up. A module may
 * import its own folder's modules and those of the floors beneath its own, never a floor above or
 * another folder of its own floor. The order is the data path's, seen from what each part is
 * built on: the store keeps readings; the after-write pipeline works on what was stored; ingest
 * validates, writes durably and runs the pipeline; transports feed ingest, and the services answer
 * from the store, the ledger and the pipeline's live state; graphql's resolvers call the services;
 * http serves graphql; core wires the services and the ingest path; cluster adds what several
 * processes need to a core; app composes everything; main starts app. Also: no module imports
 * itself back through others (no cycles, type-only imports included).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Bottom first. */
const FLOORS: ReadonlyArray<readonly string[]> = [
  ['config', 'models', 'time'], // the ground floor: what every floor uses
  ['store'],
  ['pipeline'],
  ['ingest'],
  ['transports', 'services'],
  ['graphql'],
  ['http'],
  ['core'],
  ['cluster'],
  ['app'],
  ['main'],
];

/** Beside the floors: what each may import, and which areas may import it. */
const BESIDE: Readonly<Record<string, { readonly uses: readonly string[]; readonly usedBy: readonly string[] }>> = {
  // The meters' side: a simulated meter publishes as a real one does, knowing nothing of the product.
  simulators: { uses: ['config', 'models', 'time'], usedBy: ['app'] },
  // Command-line tools (npm run api-key).
  tools: { uses: ['config', 'models', 'time', 'services'], usedBy: [] },
};

const floorOf = new Map(FLOORS.flatMap((areas, floor) => areas.map((area) => [area, floor] as const)));

/** Why `file` may not import `target`, or null when it may. */
function refusal(file: string, target: string): string | null {
  const from = areaOf(file);
  const to = areaOf(target);
  if (from === to) return null;
  for (const area of [from, to]) {
    if (!floorOf.has(area) && !(area in BESIDE)) return `${area} is on no floor (add it to FLOORS or BESIDE)`;
  }
  if (from in BESIDE) return BESIDE[from]!.uses.includes(to) ? null : `${from} stands beside the floors and uses only ${BESIDE[from]!.uses.join(', ')}`;
  if (to in BESIDE) return BESIDE[to]!.usedBy.includes(from) ? null : `${to} stands beside the floors and is used only by ${BESIDE[to]!.usedBy.join(', ') || 'nothing in src/'}`;
  const [above, below] = [floorOf.get(from)!, floorOf.get(to)!];
  // The ground floor's folders use one another (config's schema reads a tariff plan's model).
  if (below < above || (below === 0 && above === 0)) return null;
  return below === above ? `${from} and ${to} share a floor` : `${to} is a floor above ${from}`;
}

function refusals(graph: ReadonlyMap<string, readonly string[]>): string[] {
  return [...graph].flatMap(([file, targets]) =>
    targets.flatMap((target) => {
      const why = refusal(file, target);
      return why === null ? [] : [`${file} imports ${target}: ${why}`];
    }),
  );
}

describe('imports in src/', () => {
  it('finds cycles and imports that climb (the checks work)', () => {
    const graph = importGraph(`${ROOT}test/structure/fixtures/imports/`, 'src');
    expect(importCycles(graph)).toEqual([['src/low/a.ts', 'src/low/b.ts']]);
    expect(graph.get('src/low/a.ts')).toContain('src/high/h.ts');
    expect(refusal('src/pipeline/after-write.ts', 'src/services/energy/energy-ledger.ts')).toBe('services is a floor above pipeline');
    expect(refusal('src/services/panel-service.ts', 'src/transports/stored-feed.ts')).toBe('services and transports share a floor');
    expect(refusal('src/config/config.ts', 'src/ingest/topic.ts')).toBe('ingest is a floor above config');
    expect(refusal('src/simulators/simulator.ts', 'src/ingest/topic.ts')).toMatch(/beside/);
    expect(refusal('src/graphql/types/panel.ts', 'src/services/panel-service.ts')).toBeNull();
  });

  const graph = importGraph(ROOT, 'src');

  it('reads the whole of src/', () => {
    expect(graph.get('src/app.ts')).toContain('src/core.ts');
    expect(graph.size).toBeGreaterThan(100);
  });

  it('has no import cycle (no two modules import each other, directly or through others)', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('has no import against the floors (a module imports only its own folder and the floors beneath)', () => {
    expect(refusals(graph)).toEqual([]);
  });
});
