import { readFileSync } from 'node:fs';

/** A V8 .cpuprofile (what `node --cpu-prof` writes), as the profile scripts read it. */
export interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}

export interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
  readonly startTime: number;
}

/** A profile with its nodes by id and each node's parent. */
export function readCpuProfile(file: string): { profile: CpuProfile; byId: Map<number, ProfileNode>; parent: Map<number, number> } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  return { profile, byId, parent };
}

/** `function file:line`, with node_modules shortened to `nm:` and the checkout's (or build's) path to its src/ or test/. */
export function frameLabel(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'nm:')
    .replace(/^.*\/(src|test)\//, '$1/');
  return `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
}

/**
 * Each sample's node, its duration (µs) and its time since the profile began (µs), only those
 * within `span` (seconds since the profile began) when one is given.
 */
export function* samplesIn(profile: CpuProfile, byId: Map<number, ProfileNode>, span: readonly number[] | null): Generator<{ node: ProfileNode; id: number; dt: number; at: number }> {
  let elapsed = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    elapsed += dt;
    if (span && (elapsed < span[0]! * 1e6 || elapsed >= span[1]! * 1e6)) continue;
    const id = profile.samples[i]!;
    yield { node: byId.get(id)!, id, dt, at: elapsed };
  }
}
