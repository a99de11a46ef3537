import { describe, expect, it } from 'vitest';
import {
  downsampleQuery,
  energyBoundsQuery,
  energyQuery,
  fluxLocationFor,
  latestReadingsQuery,
  panelsQuery,
  panelWindows,
  readingsQuery,
} from '../../src/store/influx/influx-flux.js';
import { fluxDiagnostics, parseFlux, stringLiterals } from '../support/flux-check.js';
import { local } from '../support/readings.js';

const jakarta = local('Asia/Jakarta');
const from = jakarta('2026-01-01 00:00');
const to = jakarta('2026-02-01 00:00');
const rule = { maxPowerRatio: 10, minPowerKw: 1 };
/** Ids that would break out of a string literal if they were concatenated into Flux. */
const hostile = ['A" or r._measurement != "', 'B${x}', 'C\\", "', 'D\nE'];

function allQueries(ids: readonly string[], bucket = 'energy_monitoring'): Record<string, string> {
  const windows = panelWindows(
    ids.map((panelId, i) => ({ panelId, inside: true, before: i % 2 === 0 ? new Date(from.getTime() - 60_000) : undefined, after: i % 3 === 0 ? to : undefined })),
    from,
    to,
  );
  return {
    latest: latestReadingsQuery(bucket, ids).toString(),
    readings: readingsQuery(bucket, ids[0]!, from, to, 100).toString(),
    readingsUnlimited: readingsQuery(bucket, ids[0]!, from, to).toString(),
    downsample: downsampleQuery(bucket, ids[0]!, from, to, 900_000).toString(),
    panels: panelsQuery(bucket).toString(),
    bounds: energyBoundsQuery(bucket, ids, from, to).toString(),
    energyDay: energyQuery({ bucket, windows, from, to, groupBy: 'day', location: fluxLocationFor('Asia/Jakarta', from, to, 'day'), rule }).toString(),
    energyMonth: energyQuery({ bucket, windows, from, to, groupBy: 'month', location: { kind: 'location', name: 'Europe/Berlin' }, rule }).toString(),
    energyTotal: energyQuery({ bucket, windows: windows.slice(0, 1), from, to, groupBy: 'total', rule }).toString(),
  };
}

describe('Flux queries', () => {
  it('parse and type-check against the Flux standard library', async () => {
    for (const [name, query] of Object.entries(allQueries(['PANEL_LANTAI_1', 'PANEL_LANTAI_2', 'PANEL_LANTAI_3']))) {
      expect({ name, diagnostics: await fluxDiagnostics(query) }).toEqual({ name, diagnostics: [] });
    }
  });

  it('carry panel ids and the bucket as escaped string literals, never as Flux code', async () => {
    const bucket = 'bucket" |> drop() //';
    for (const [name, query] of Object.entries(allQueries(hostile, bucket))) {
      expect({ name, diagnostics: await fluxDiagnostics(query) }).toEqual({ name, diagnostics: [] });
      const literals = stringLiterals(await parseFlux(query));
      expect(literals, name).toContain(bucket);
      if (name !== 'panels') expect(literals, name).toContain(hostile[0]);
      if (['latest', 'bounds', 'energyDay', 'energyMonth'].includes(name)) {
        for (const id of hostile) expect(literals, `${name} ${JSON.stringify(id)}`).toContain(id);
      }
    }
  });

  it('filter panels with == chains (pushed down to storage), not contains()', () => {
    for (const query of Object.values(allQueries(['A', 'B']))) expect(query).not.toContain('contains(');
    expect(latestReadingsQuery('b', ['A', 'B', 'A']).toString()).toContain('(r.panel_id == "A" or r.panel_id == "B")');
  });

  it('energy: counter-rule thresholds and the interval are float literals; days in a fixed +7h offset for Jakarta', () => {
    const query = energyQuery({
      bucket: 'b',
      windows: panelWindows([{ panelId: 'A', inside: true }], from, to),
      from,
      to,
      groupBy: 'day',
      location: fluxLocationFor('Asia/Jakarta', from, to, 'day'),
      rule: { maxPowerRatio: 12.5, minPowerKw: 2 },
    }).toString();
    expect(query).toContain('ratio = 12.5');
    expect(query).toContain('minKw = 2.0');
    expect(query).toContain(`if exists r.t then r.t >= ${from.getTime()}.0 and r.t < ${to.getTime()}.0 else false`);
    expect(query).toContain('date.truncate(t: time(v: int(v: r.t) * 1000000), unit: 1d, location: timezone.fixed(offset: 7h))');
  });

  it('energy: reads two readings back and one ahead per panel', () => {
    const before = new Date(from.getTime() - 60_000);
    const after = new Date(to.getTime() + 30_000);
    const [window] = panelWindows([{ panelId: 'A', before, inside: true, after }], from, to);
    expect(window).toEqual({ panelId: 'A', start: before, stop: new Date(after.getTime() + 1), secondLookback: true });
    const query = energyQuery({ bucket: 'b', windows: [window!], from, to, groupBy: 'total', rule }).toString();
    // The second reading back: last() before the first one.
    expect(query).toMatch(new RegExp(`stop: time\\(v: "${before.toISOString()}"\\)\\)\\n[^\\n]*filter[^\\n]*\\n\\s*\\|> last\\(\\)`));
    expect(query).toContain(`range(start: time(v: "${before.toISOString()}"), stop: time(v: "${new Date(after.getTime() + 1).toISOString()}"))`);
    // Panels without readings inside the interval are not queried at all.
    expect(panelWindows([{ panelId: 'B', before, inside: false, after }], from, to)).toEqual([]);
  });
});

describe('fluxLocationFor', () => {
  it('uses a fixed offset for zones without daylight saving (works without zoneinfo in the image)', () => {
    expect(fluxLocationFor('Asia/Jakarta', from, to, 'day')).toEqual({ kind: 'fixed', offsetMinutes: 420 });
    expect(fluxLocationFor('Asia/Makassar', from, to, 'month')).toEqual({ kind: 'fixed', offsetMinutes: 480 });
    expect(fluxLocationFor('Asia/Jayapura', from, to, 'day')).toEqual({ kind: 'fixed', offsetMinutes: 540 });
  });

  it('writes odd offsets in hours and minutes', () => {
    const kathmandu = fluxLocationFor('Asia/Kathmandu', from, to, 'day');
    expect(kathmandu).toEqual({ kind: 'fixed', offsetMinutes: 345 });
    const query = energyQuery({ bucket: 'b', windows: panelWindows([{ panelId: 'A', inside: true }], from, to), from, to, groupBy: 'day', location: kathmandu, rule }).toString();
    expect(query).toContain('timezone.fixed(offset: 5h45m)');
    const westward = energyQuery({ bucket: 'b', windows: panelWindows([{ panelId: 'A', inside: true }], from, to), from, to, groupBy: 'day', location: { kind: 'fixed', offsetMinutes: -210 }, rule }).toString();
    expect(westward).toContain('timezone.fixed(offset: -3h30m)');
  });

  it('uses the named location when the offset changes inside the queried periods', () => {
    const berlin = local('Europe/Berlin');
    expect(fluxLocationFor('Europe/Berlin', berlin('2026-03-01 00:00'), berlin('2026-04-01 00:00'), 'day')).toEqual({ kind: 'location', name: 'Europe/Berlin' });
    expect(fluxLocationFor('Europe/Berlin', berlin('2026-01-01 00:00'), berlin('2026-02-01 00:00'), 'day')).toEqual({ kind: 'fixed', offsetMinutes: 60 });
  });
});
