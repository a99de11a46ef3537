import { describe, expect, it } from 'vitest';
import { topicPrefix } from '../../src/config/topic-pattern.js';
import { panelIdFromTopic } from '../../src/ingest/topic.js';

describe('panelIdFromTopic', () => {
  it.each([
    ['DATA/PM/PANEL_LANTAI_1', 'PANEL_LANTAI_1'],
    ['DATA/PM/a', 'a'],
    ['DATA/PM/7', '7'],
    ['DATA/PM/P-1.2_b', 'P-1.2_b'],
    [`DATA/PM/${'x'.repeat(64)}`, 'x'.repeat(64)],
  ])('%s -> %s', (topic, panelId) => {
    expect(panelIdFromTopic(topic)).toEqual({ ok: true, panelId });
  });

  it.each([
    ['the prefix alone', 'DATA/PM'],
    ['an empty id level', 'DATA/PM/'],
    ['an empty level before the id', 'DATA/PM//A'],
    ['an extra level', 'DATA/PM/A/B'],
    ['a trailing separator', 'DATA/PM/A/'],
    ['a + wildcard', 'DATA/PM/+'],
    ['a # wildcard', 'DATA/PM/#'],
    ['a wildcard inside the id', 'DATA/PM/A#'],
    ['another prefix', 'OTHER/PM/A'],
    ['the prefix in another case (MQTT topics are case-sensitive)', 'data/pm/A'],
    ['a prefix that only starts the same', 'DATA/PMX/A'],
    ['an id starting with punctuation', 'DATA/PM/-A'],
    ['an id starting with a dot', 'DATA/PM/.hidden'],
    ['a space in the id', 'DATA/PM/A B'],
    ['a non-ASCII id', 'DATA/PM/PANEL_É'],
    ['an id longer than 64', `DATA/PM/${'x'.repeat(65)}`],
    ['an empty topic', ''],
  ])('rejects %s', (_name, topic) => {
    const result = panelIdFromTopic(topic);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.detail).toContain('topic');
  });

  it('uses the given prefix', () => {
    expect(panelIdFromTopic('site/a/meters/X1', 'site/a/meters')).toEqual({ ok: true, panelId: 'X1' });
    expect(panelIdFromTopic('DATA/PM/X1', 'site/a/meters').ok).toBe(false);
  });
});

describe('topicPrefix', () => {
  it.each([
    ['DATA/PM/#', 'DATA/PM'],
    ['DATA/PM/+', 'DATA/PM'],
    ['$share/ingest/DATA/PM/#', 'DATA/PM'],
    ['$share/g-1/DATA/PM/+', 'DATA/PM'],
    ['site/a/meters/#', 'site/a/meters'],
    ['X/#', 'X'],
  ])('%s -> %s', (pattern, prefix) => {
    expect(topicPrefix(pattern)).toBe(prefix);
  });

  it.each(['#', '+', '+/PM/#', 'DATA/+/#', 'DATA/PM', 'DATA/PM/', 'DATA//PM/#', '$share/g', '$share/g/#', '/#'])(
    'refuses %s, which has no fixed prefix followed by a wildcard',
    (pattern) => {
      expect(() => topicPrefix(pattern)).toThrow(/MQTT topic pattern/);
    },
  );

  it('feeds panelIdFromTopic for a shared subscription', () => {
    expect(panelIdFromTopic('DATA/PM/P1', topicPrefix('$share/ingest/DATA/PM/#'))).toEqual({ ok: true, panelId: 'P1' });
  });
});
