import { describe, expect, it } from 'vitest';
import { MAX_TRACKED_PANELS, OTHER_PANELS, RejectionStats } from '../../src/ingest/rejection-stats.js';

describe('RejectionStats', () => {
  it('counts per panel and reason, keeping the latest detail', () => {
    const stats = new RejectionStats();
    const at = new Date('2026-01-01T00:00:00Z');
    stats.record({ panelId: 'P1', reason: 'invalid_json', detail: 'first', topic: 'DATA/PM/P1', at });
    stats.record({ panelId: 'P1', reason: 'invalid_json', detail: 'second', topic: 'DATA/PM/P1', at });
    stats.record({ panelId: null, reason: 'invalid_topic', detail: 'bad', topic: 'DATA/PM/a/b', at });
    expect(stats.list()).toEqual([
      { panelId: null, reason: 'invalid_topic', count: 1, lastAt: at, lastDetail: 'bad', lastTopic: 'DATA/PM/a/b' },
      { panelId: 'P1', reason: 'invalid_json', count: 2, lastAt: at, lastDetail: 'second', lastTopic: 'DATA/PM/P1' },
    ]);
    expect(stats.total()).toBe(3);
  });

  it('bounds the panels it tracks, so random topics cannot grow memory or metric series without limit', () => {
    const stats = new RejectionStats();
    const at = new Date();
    for (let i = 0; i < MAX_TRACKED_PANELS + 500; i++) {
      stats.record({ panelId: `JUNK_${i}`, reason: 'invalid_json', detail: 'x', topic: `DATA/PM/JUNK_${i}`, at });
    }
    const buckets = stats.list();
    expect(buckets).toHaveLength(MAX_TRACKED_PANELS + 1);
    expect(buckets.find((bucket) => bucket.panelId === OTHER_PANELS)?.count).toBe(500);
    expect(stats.total()).toBe(MAX_TRACKED_PANELS + 500);
    // A panel tracked before the limit keeps its own bucket.
    stats.record({ panelId: 'JUNK_0', reason: 'invalid_json', detail: 'y', topic: 'DATA/PM/JUNK_0', at });
    expect(stats.list('JUNK_0')[0]?.count).toBe(2);
  });
});
