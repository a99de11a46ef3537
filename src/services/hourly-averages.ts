import type { PhaseValues, Reading } from '../models/reading.js';
import type { ReadingStore, WindowReadings } from '../store/reading-store.js';

const HOUR_MS = 3_600_000;
const HOURS_PER_BLOCK = 24;
const BLOCK_MS = HOURS_PER_BLOCK * HOUR_MS;

/**
 * What a history window shows of its readings: how many, and the averages of the instantaneous
 * values a chart draws (null where no reading of the window had the value).
 */
export interface WindowAverages {
  readonly count: number;
  readonly activePowerKw: number;
  readonly voltage: PhaseValues;
  readonly current: PhaseValues;
  readonly powerFactor: number | null;
}

/** Numbers kept per hour, in this order: the count, then the averages (NaN for null). */
const FIELDS = 11;

/** One panel's 24 epoch hours: `valid` has bit h set once hour h holds the store's answer. */
interface Block {
  readonly values: Float64Array;
  valid: number;
  /** Bumped by every write into the block's hours: a fill started before it is not kept. */
  generation: number;
  lastUsed: number;
}

export interface HourlyAveragesOptions {
  /** Panel-days kept (2.1 KB each); beyond, the least recently used are dropped. Default 4,096 (about 9 MB). */
  readonly maxBlocks?: number;
}

/** Dirty hours this close together are read back in one store call (one round trip, a few more rows). */
const MERGE_GAP_HOURS = 24;

/**
 * The store's one-hour averages of each panel, kept per epoch hour once read: a 30-day chart at
 * 1 h is 720 windows over 43,200 readings, which the store would aggregate again on every request.
 * Each hour holds exactly what `store.downsample` answered for that hour (the same call, the same
 * window bounds, so the same figures bit for bit); a stored reading (here, or heard from another
 * process) drops its hour at once, before anyone hears of the reading, and the hour is read again
 * when next asked. A fill that a write overtakes answers its request but is not kept.
 */
export class HourlyAverages {
  readonly #store: Pick<ReadingStore, 'downsample'>;
  readonly #maxBlocks: number;
  readonly #panels = new Map<string, Map<number, Block>>();
  #blocks = 0;
  #clock = 0;

  constructor(store: Pick<ReadingStore, 'downsample'>, options: HourlyAveragesOptions = {}) {
    this.#store = store;
    this.#maxBlocks = options.maxBlocks ?? 4_096;
  }

  /** Whether windows of `everyMs` from `fromMs` are epoch hours, the windows kept here. */
  static answers(fromMs: number, everyMs: number): boolean {
    return everyMs === HOUR_MS && fromMs % HOUR_MS === 0;
  }

  /** A reading was stored: its hour is read from the store again when next asked. */
  applyStored(reading: Reading): void {
    const t = reading.time.getTime();
    const block = this.#panels.get(reading.panelId)?.get(Math.floor(t / BLOCK_MS));
    if (block === undefined) return;
    block.valid &= ~(1 << Math.floor((t % BLOCK_MS) / HOUR_MS));
    block.generation++;
  }

  /**
   * The averages of `hours` epoch hours from `fromMs` (a whole hour), oldest first; null for an
   * hour without readings. Hours kept are answered from here, the others from the store.
   */
  async hours(panelId: string, fromMs: number, hours: number): Promise<Array<WindowAverages | null>> {
    if (!HourlyAverages.answers(fromMs, HOUR_MS)) throw new RangeError(`hours start on a whole hour, got ${fromMs}`);
    const firstHour = fromMs / HOUR_MS;
    const firstBlock = Math.floor(firstHour / HOURS_PER_BLOCK);
    const blocks: Block[] = [];
    for (let b = firstBlock; b <= Math.floor((firstHour + hours - 1) / HOURS_PER_BLOCK); b++) blocks.push(this.#block(panelId, b));
    const generations = blocks.map((block) => block.generation);
    // Hour i lies in blocks[blockOf(i)] at hour hourOf(i).
    const blockOf = (i: number) => Math.floor((firstHour + i) / HOURS_PER_BLOCK) - firstBlock;
    const hourOf = (i: number) => (firstHour + i) % HOURS_PER_BLOCK;
    // What is kept now is the answer for those hours (a write during the reads below drops it
    // from the blocks, not from this answer, as a store query's snapshot would be).
    const out: Array<WindowAverages | null> = [];
    for (let i = 0; i < hours; i++) {
      const block = blocks[blockOf(i)]!;
      out.push((block.valid & (1 << hourOf(i))) !== 0 ? averagesAt(block.values, hourOf(i)) : null);
    }
    const runs = missingRuns(hours, (i) => (blocks[blockOf(i)]!.valid & (1 << hourOf(i))) !== 0);
    const fetched = await Promise.all(runs.map(([from, to]) => this.#store.downsample(panelId, new Date(fromMs + from * HOUR_MS), new Date(fromMs + to * HOUR_MS), HOUR_MS)));
    const scratch = new Float64Array(FIELDS);
    runs.forEach(([from, to], r) => {
      const byHour = new Map(fetched[r]!.map((window) => [Math.round((window.reading.time.getTime() - fromMs) / HOUR_MS), window]));
      for (let i = from; i < to; i++) {
        packWindow(scratch, byHour.get(i));
        out[i] = averagesAt(scratch, 0);
        const b = blockOf(i);
        // Kept only when no reading of the block was stored since the read began.
        if (blocks[b]!.generation !== generations[b]) continue;
        blocks[b]!.values.set(scratch, hourOf(i) * FIELDS);
        blocks[b]!.valid |= 1 << hourOf(i);
      }
    });
    return out;
  }

  #block(panelId: string, index: number): Block {
    let panel = this.#panels.get(panelId);
    if (panel === undefined) {
      panel = new Map();
      this.#panels.set(panelId, panel);
    }
    let block = panel.get(index);
    if (block === undefined) {
      if (this.#blocks >= this.#maxBlocks) this.#evict();
      block = { values: new Float64Array(HOURS_PER_BLOCK * FIELDS), valid: 0, generation: 0, lastUsed: 0 };
      panel.set(index, block);
      this.#blocks++;
    }
    block.lastUsed = ++this.#clock;
    return block;
  }

  /** Drops the least recently used half: rare (a full cache), and then O(n log n) once. */
  #evict(): void {
    const all: Array<{ panelId: string; index: number; lastUsed: number }> = [];
    for (const [panelId, panel] of this.#panels) for (const [index, block] of panel) all.push({ panelId, index, lastUsed: block.lastUsed });
    all.sort((a, b) => a.lastUsed - b.lastUsed);
    for (const { panelId, index } of all.slice(0, Math.ceil(all.length / 2))) {
      const panel = this.#panels.get(panelId)!;
      panel.delete(index);
      if (panel.size === 0) this.#panels.delete(panelId);
      this.#blocks--;
    }
  }
}

/** Runs [from, to) of hours not yet kept, joined across small gaps so they cost few store calls. */
function missingRuns(hours: number, kept: (i: number) => boolean): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < hours; i++) {
    if (kept(i)) continue;
    const last = runs.at(-1);
    if (last !== undefined && i - last[1] <= MERGE_GAP_HOURS) last[1] = i + 1;
    else runs.push([i, i + 1]);
  }
  return runs;
}

/** One window of the store's answer as FIELDS numbers (count 0: no readings). */
function packWindow(out: Float64Array, window: WindowReadings | undefined): void {
  if (window === undefined) {
    out.fill(Number.NaN);
    out[0] = 0;
    return;
  }
  const { reading: r, count } = window;
  const values = [count, r.activePowerKw, r.voltage.l1, r.voltage.l2, r.voltage.l3, r.voltage.average, r.current.l1, r.current.l2, r.current.l3, r.current.average, r.powerFactor];
  for (let f = 0; f < FIELDS; f++) out[f] = values[f] ?? Number.NaN;
}

function averagesAt(values: Float64Array, i: number): WindowAverages | null {
  const o = i * FIELDS;
  const count = values[o]!;
  if (count === 0) return null;
  const v = (f: number) => {
    const x = values[o + f]!;
    return Number.isNaN(x) ? null : x;
  };
  return {
    count,
    activePowerKw: values[o + 1]!,
    voltage: { l1: v(2), l2: v(3), l3: v(4), average: v(5) },
    current: { l1: v(6), l2: v(7), l3: v(8), average: v(9) },
    powerFactor: v(10),
  };
}
