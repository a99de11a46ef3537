import type { Viewer } from '../../models/viewer.js';
import type { LocalTime } from '../../time/local-time.js';
import { unknownPanel } from '../user-input-error.js';
import { csvWriter } from './csv-dialect.js';
import type { ExportLinks } from './export-links.js';
import { parseExportRequest, type ExportRequest, type ExportRequestInput } from './export-request.js';
import { EXPORT_TABLES, type ExportSources, type ResolvedExport } from './export-tables.js';

/** A CSV file on its way out: its name and its text, a piece at a time. */
export interface ExportFile {
  readonly filename: string;
  readonly chunks: AsyncIterable<string>;
}

/**
 * CSV exports of readings, history, summaries and bills, with the same panel limits as the API:
 * a panel outside the caller's is unknown, the building is the caller's panels. Rows stream from
 * the store a page at a time, so memory stays flat for any period (docs/export.md).
 */
export class ExportService {
  readonly #perCaller: number;
  readonly #running = new Map<string, number>();
  #total = 0;

  constructor(
    private readonly sources: ExportSources,
    readonly links: ExportLinks,
    /** EXPORT_MAX_STREAMS: exports running at once; one caller may hold half (at least one). */
    private readonly maxStreams: number,
  ) {
    this.#perCaller = Math.max(1, Math.floor(maxStreams / 2));
  }

  /**
   * A place among the exports running now, or why there is none: an export holds a store reader
   * for as long as its client reads, so how many run at once is bounded, and no caller takes all.
   */
  admit(viewer: Viewer): { release: () => void } | { refused: string } {
    const held = this.#running.get(viewer.name) ?? 0;
    if (held >= this.#perCaller) return { refused: `this caller already runs ${held} exports (its share of EXPORT_MAX_STREAMS)` };
    if (this.#total >= this.maxStreams) return { refused: `${this.#total} exports are running (EXPORT_MAX_STREAMS)` };
    this.#total++;
    this.#running.set(viewer.name, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#total--;
        const left = (this.#running.get(viewer.name) ?? 1) - 1;
        if (left === 0) this.#running.delete(viewer.name);
        else this.#running.set(viewer.name, left);
      },
    };
  }

  /** Checks an export for a caller; a UserInputError (services/user-input-error.ts) says what to fix. */
  resolve(viewer: Viewer, input: unknown): ResolvedExport {
    const request = parseExportRequest(input, this.sources.time);
    const scope = viewer.panels;
    let panelIds: string[];
    if (request.panelId === null) {
      panelIds = this.sources.panels.list(scope).map((panel) => panel.id);
    } else {
      if (!this.sources.panels.get(request.panelId, scope)) throw unknownPanel(request.panelId);
      panelIds = [request.panelId];
    }
    return { ...request, panelIds, scope };
  }

  /** A signed link to GET the export as `viewer` (checked now, so a bad request fails here). */
  async link(viewer: Viewer, input: ExportRequestInput): Promise<{ path: string; expiresAt: Date }> {
    const request = this.resolve(viewer, input);
    const { token, expiresAt } = await this.links.sign(viewer, input);
    return { path: `/export/${request.kind}.csv?link=${token}`, expiresAt };
  }

  open(request: ResolvedExport): ExportFile {
    const table = EXPORT_TABLES[request.kind];
    const writer = csvWriter(request.format, this.sources.time);
    const sources = this.sources;
    async function* chunks(): AsyncGenerator<string> {
      yield writer.header(table.columns);
      for await (const rows of table.rows(sources, request)) {
        let text = '';
        for (const row of rows) text += writer.line(row);
        if (text) yield text;
      }
    }
    return { filename: fileName(request, sources.time), chunks: chunks() };
  }
}

/** energy-readings-PANEL_A-2026-08-01-2026-09-01.csv (dates local; `to` exclusive, as asked). */
export function fileName(request: ExportRequest, time: LocalTime): string {
  const day = (ms: number) => time.formatIso(ms).slice(0, 10);
  const who = request.panelId ?? 'building';
  const variant = request.format === 'excel-id' ? '-excel' : '';
  return `energy-${request.kind}-${who}-${day(request.fromMs)}-${day(request.toMs)}${variant}.csv`;
}

