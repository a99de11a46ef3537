import { writeFileSync } from 'node:fs';

/** One printed line of the results table. */
export interface Line {
  readonly benchmark: string;
  readonly measure: string;
  readonly product: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  /** `met`, `MISSED`, or empty for information. */
  readonly result: '' | 'met' | 'MISSED';
}

/** A work check: the benchmark did what it claims (counts, no loss). A failed check fails the run. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface TargetResult {
  readonly name: string;
  readonly met: boolean;
  readonly detail: string;
}

/** Collects lines, targets, work checks and raw figures; prints the table and writes the JSON. */
export class Report {
  readonly lines: Line[] = [];
  readonly targets: TargetResult[] = [];
  readonly checks: Check[] = [];
  readonly notes: string[] = [];
  readonly figures: Record<string, unknown> = {};

  line(line: Partial<Line> & Pick<Line, 'benchmark' | 'measure' | 'product'>): void {
    this.lines.push({ baseline: '', ratio: '', target: '', result: '', ...line });
  }

  /** Records a target and returns the verdict for the table. */
  target(name: string, met: boolean, detail: string): 'met' | 'MISSED' {
    this.targets.push({ name, met, detail });
    return met ? 'met' : 'MISSED';
  }

  check(name: string, ok: boolean, detail: string): boolean {
    this.checks.push({ name, ok, detail });
    if (!ok) console.error(`  WORK CHECK FAILED: ${name}: ${detail}`);
    return ok;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  table(): string {
    const header: Line = {
      benchmark: 'benchmark',
      measure: 'measure',
      product: 'product',
      baseline: 'baseline',
      ratio: 'ratio',
      target: 'target',
      result: '' as const,
    };
    const columns = ['benchmark', 'measure', 'product', 'baseline', 'ratio', 'target', 'result'] as const;
    const rows = [header, ...this.lines].map((line) =>
      columns.map((c) => (line === header && c === 'result' ? 'result' : String(line[c]))),
    );
    const widths = columns.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    const format = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
    const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
    return [format(rows[0]!), rule, ...rows.slice(1).map(format)].join('\n');
  }

  print(): void {
    console.log(`\n${this.table()}\n`);
    for (const note of this.notes) console.log(`note: ${note}`);
    const missed = this.targets.filter((t) => !t.met);
    console.log(`\ntargets: ${this.targets.length - missed.length} met, ${missed.length} missed`);
    for (const t of missed) console.log(`  missed: ${t.name}: ${t.detail}`);
    const failed = this.checks.filter((c) => !c.ok);
    console.log(`work checks: ${this.checks.length - failed.length} passed, ${failed.length} failed`);
    for (const c of failed) console.log(`  FAILED: ${c.name}: ${c.detail}`);
  }

  writeJson(file: string, meta: Record<string, unknown>): void {
    const body = {
      ...meta,
      lines: this.lines,
      targets: this.targets,
      checks: this.checks,
      notes: this.notes,
      figures: this.figures,
    };
    writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  }
}

export const fmt = {
  ms: (value: number) => (Number.isFinite(value) ? (value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(2)} ms`) : 'n/a'),
  rate: (value: number, unit: string) =>
    Number.isFinite(value) ? `${Math.round(value).toLocaleString('en-US')} ${unit}` : 'n/a',
  ratio: (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a'),
  mb: (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1_048_576).toFixed(0)} MB` : 'n/a'),
  int: (value: number) => Math.round(value).toLocaleString('en-US'),
  pct: (value: number, digits = 1) => (Number.isFinite(value) ? `${(value * 100).toFixed(value === 1 ? 0 : digits)} %` : 'n/a'),
};
