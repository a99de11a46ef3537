import type { Reading } from '../models/reading.js';
import type { ReadingStore, WindowReadings } from '../store/reading-store.js';
import { WindowTable } from './window-table.js';

const HOUR_MS = 3_600_000;
const HOURS_PER_BLOCK = 24;
const BLOCK_MS = HOURS_PER_BLOCK * HOUR_MS;

/** One panel's 24 epoch hours: `valid` has bit h set once hour h holds the store's answer. */
interface Block {
  readonly hours: WindowTable;
  valid: number;
  /**
   * Renewed by every write into the block's hours: a fill started before it is not kept. Drawn
   * from one counter for all blocks, so a block dropped and made again never repeats a value.
   */
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
  /**
   * Store reads in flight, by panel, hours and the generations of their blocks: concurrent
   * requests missing the same hours (a chart's current hour after each reading, asked by every
   * open chart) share one read instead of sending one each. A write bumps a generation, so a
   * request after the write never joins a read that started before it.
   */
  readonly #reading = new Map<string, Promise<WindowReadings[]>>();
  #blocks = 0;
  #generations = 0;
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
    block.generation = ++this.#generations;
  }

  /**
   * The averages of `hours` epoch hours from `fromMs` (a whole hour), oldest first, packed into
   * the first windows of `out` (count 0 for an hour without readings). Hours kept are answered
   * from here, the others from the store.
   */
  async hours(panelId: string, fromMs: number, hours: number, out = new WindowTable(hours)): Promise<WindowTable> {
    if (out.windows < hours) throw new RangeError(`a table of ${out.windows} windows cannot hold ${hours} hours`);
    if (!HourlyAverages.answers(fromMs, HOUR_MS)) throw new RangeError(`hours start on a whole hour, got ${fromMs}`);
    const firstHour = fromMs / HOUR_MS;
    const firstBlock = Math.floor(firstHour / HOURS_PER_BLOCK);
    const blocks: Block[] = [];
    for (let b = firstBlock; b <= Math.floor((firstHour + hours - 1) / HOURS_PER_BLOCK); b++) blocks.push(this.#block(panelId, b));
    const generations = blocks.map((block) => block.generation);
    // Hour i lies in blocks[blockOf(i)] at hour hourOf(i).
    const blockOf = (i: number) => Math.floor((firstHour + i) / HOURS_PER_BLOCK) - firstBlock;
    const hourOf = (i: number) => (firstHour + i) % HOURS_PER_BLOCK;
    const kept = (i: number) => (blocks[blockOf(i)]!.valid & (1 << hourOf(i))) !== 0;
    // What is kept now is the answer for those hours (a write during the reads below drops it
    // from the blocks, not from this answer, as a store query's snapshot would be).
    for (let i = 0; i < hours; i++) if (kept(i)) out.copy(i, blocks[blockOf(i)]!.hours, hourOf(i), 1);
    const runs = missingRuns(hours, kept);
    const fetched = await Promise.all(
      runs.map(([from, to]) => this.#read(panelId, fromMs + from * HOUR_MS, fromMs + to * HOUR_MS, generations.slice(blockOf(from), blockOf(to - 1) + 1))),
    );
    runs.forEach(([from, to], r) => {
      const byHour = new Map(fetched[r]!.map((window) => [Math.round((window.reading.time.getTime() - fromMs) / HOUR_MS), window]));
      for (let i = from; i < to; i++) {
        out.set(i, byHour.get(i));
        const block = blocks[blockOf(i)]!;
        // Kept only when no reading of the block was stored since the read began.
        if (block.generation !== generations[blockOf(i)]) continue;
        block.hours.copy(hourOf(i), out, i, 1);
        block.valid |= 1 << hourOf(i);
      }
    });
    return out;
  }

  /** The store's hourly windows of [fromMs, toMs), shared with a read of the same hours and generations in flight. */
  #read(panelId: string, fromMs: number, toMs: number, generations: readonly number[]): Promise<WindowReadings[]> {
    const key = `${panelId}|${fromMs}|${toMs}|${generations.join(',')}`;
    let read = this.#reading.get(key);
    if (read === undefined) {
      read = this.#store.downsample(panelId, new Date(fromMs), new Date(toMs), HOUR_MS);
      this.#reading.set(key, read);
      const forget = () => this.#reading.delete(key);
      read.then(forget, forget);
    }
    return read;
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
      block = { hours: new WindowTable(HOURS_PER_BLOCK), valid: 0, generation: ++this.#generations, lastUsed: 0 };
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
