// The small readers behind devmesh.yaml messages: durations and did-you-mean suggestions.
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../../main/core/base/did-you-mean.js';
import { formatDuration, parseDuration } from '../../../main/core/base/duration.js';

describe('parseDuration', () => {
  it('reads units, compounds and plain seconds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2s')).toBe(2000);
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration(3)).toBe(3000);
    expect(parseDuration(0.25)).toBe(250);
    expect(parseDuration('10')).toBe(10_000);
    expect(parseDuration(0)).toBe(0);
  });

  it('rejects what is not a duration', () => {
    for (const bad of ['2 s', '2sec', 's', '', '-1s', -1, '1d', true, null, [], {}])
      expect(parseDuration(bad)).toBeNull();
  });

  it('formats back to the shortest form', () => {
    expect([250, 1500, 2000, 90_000, 120_000, 7_200_000].map(formatDuration)).toEqual([
      '250ms',
      '1.5s',
      '2s',
      '90s',
      '2m',
      '2h',
    ]);
  });
});

describe('didYouMean', () => {
  const keys = [
    'version',
    'command',
    'cwd',
    'env',
    'port',
    'health',
    'depends_on',
    'restart',
    'stop_signal',
    'stop_timeout',
  ];

  it('suggests the key for a typo, a swap, or another spelling style', () => {
    expect(didYouMean('helth', keys)).toBe('health');
    expect(didYouMean('prot', keys)).toBe('port');
    expect(didYouMean('dependsOn', keys)).toBe('depends_on');
    expect(didYouMean('depends-on', keys)).toBe('depends_on');
    expect(didYouMean('stopSignal', keys)).toBe('stop_signal');
    expect(didYouMean('Health', keys)).toBe('health');
    expect(didYouMean('depends', keys)).toBe('depends_on');
  });

  it('stays quiet when nothing is close', () => {
    expect(didYouMean('colour', keys)).toBeNull();
    expect(didYouMean('db', ['web', 'api'])).toBeNull();
    expect(didYouMean('x', [])).toBeNull();
  });

  it('counts edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
