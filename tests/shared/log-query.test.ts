// The log search language: words, phrases, prefixes, exclusions and filters parsed as a user means them,
// every mistake refused with where it is and how to fix it; matching and highlighting with the index's rules.
import { describe, expect, it } from 'vitest';
import { displayText, lineMatches, matchRanges } from '../../shared/log-match.js';
import { formatLogQuery, parseLogQuery, tokenize } from '../../shared/log-query.js';
import type { LogLine } from '../../shared/service.js';

const line = (text: string, extra: Partial<LogLine> = {}): LogLine => ({
  seq: 1,
  project: 'shop',
  service: 'api',
  stream: 'stdout',
  ts: 0,
  text,
  level: null,
  ...extra,
});

describe('parseLogQuery', () => {
  it('reads words, "phrases", prefixes, exclusions and filters', () => {
    const q = parseLogQuery('Timeout "connection  reset" conn* -healthcheck level>=warn service=api,web user.id=42');
    expect(q.terms).toEqual([
      { source: 'Timeout', tokens: ['timeout'], prefix: false, negate: false },
      { source: '"connection  reset"', tokens: ['connection', 'reset'], prefix: false, negate: false },
      { source: 'conn*', tokens: ['conn'], prefix: true, negate: false },
      { source: 'healthcheck', tokens: ['healthcheck'], prefix: false, negate: true },
    ]);
    expect(q.levels).toEqual([{ op: '>=', value: 40 }]);
    expect(q.services.include).toEqual(['api', 'web']);
    expect(q.fields).toEqual([{ path: 'user.id', op: '=', value: '42' }]);
  });

  it('takes punctuation as separators, as the index does: /api/orders is the phrase "api orders"', () => {
    expect(parseLogQuery('/api/orders').terms[0]!.tokens).toEqual(['api', 'orders']);
    expect(parseLogQuery('started:').terms[0]!.tokens).toEqual(['started']);
    expect(tokenize('Café déjà-vu').map((t) => t.token)).toEqual(['cafe', 'deja', 'vu']);
  });

  it('reads level names, aliases and numbers, quoted values and "" inside quotes', () => {
    expect(parseLogQuery('level=WARNING level<60').levels).toEqual([
      { op: '=', value: 40 },
      { op: '<', value: 60 },
    ]);
    expect(parseLogQuery('user.name="Ann ""A"" Lee"').fields[0]!.value).toBe('Ann "A" Lee');
  });

  it.each([
    ['"never closed', /quote at column 1 that is never closed/],
    ['level>=loud', /unknown level "loud" at column 1: use trace, debug, info, warn, error, fatal/],
    ['service>api', /compares service with > at column 1: use service= or service!=/],
    ['user.id=', /"user.id=" at column 1 with no value/],
    ['ok ->', /"->" at column 4 with no letters or digits/],
    ['""', /an empty phrase ""/],
    ['a"b', /quote inside a word at column 1/],
    ['"a"b', /text right after the closing quote/],
    ['bad\u0000byte', /control character \(U\+0000\) at column 4: remove it/],
    ['x'.repeat(10_000), /10000 characters long; the limit is 4096/],
    [Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '), /more than 32 terms/],
    ['user..id=1', /a field path is names joined by dots/],
  ])('refuses %j with a message saying where and how to fix it', (query, message) => {
    expect(() => parseLogQuery(query)).toThrow(message);
  });

  it('writes a query back as text the parser reads the same', () => {
    const q = parseLogQuery('"a b" -c level>=error service!=web msg="x y"');
    expect(parseLogQuery(formatLogQuery(q))).toEqual(q);
  });
});

describe('matching and highlighting', () => {
  it('highlights whole words, phrases in a row and prefixes, case-insensitively', () => {
    const text = 'GET /api/orders timed out: Connection reset by peer';
    expect(matchRanges(text, parseLogQuery('connection reset').terms)).toEqual([
      [27, 37],
      [38, 43],
    ]);
    expect(matchRanges(text, parseLogQuery('"connection reset"').terms)).toEqual([[27, 43]]);
    expect(matchRanges(text, parseLogQuery('ord*').terms)).toEqual([[9, 15]]);
    expect(matchRanges(text, parseLogQuery('order').terms)).toEqual([]); // a word, not a substring
    expect(matchRanges(text, parseLogQuery('-get').terms)).toEqual([]);
  });

  it('matches a structured line by its message, fields and level, and a plain one by its text', () => {
    const structured = line('{"level":50,"msg":"payment failed","user":{"id":42},"path":"/pay"}', {
      level: 50,
      msg: 'payment failed',
      fields: { user: { id: 42 }, path: '/pay' },
    });
    expect(displayText(structured)).toBe('payment failed  user.id=42 path=/pay');
    expect(lineMatches(structured, parseLogQuery('payment level>=warn user.id=42'))).toBe(true);
    expect(lineMatches(structured, parseLogQuery('user.id>40 user.id<43'))).toBe(true);
    expect(lineMatches(structured, parseLogQuery('user.id=43'))).toBe(false);
    expect(lineMatches(structured, parseLogQuery('level>=fatal'))).toBe(false);
    expect(lineMatches(structured, parseLogQuery('payment -failed'))).toBe(false);
    expect(lineMatches(structured, parseLogQuery('service=web'))).toBe(false);
    // a plain line has no level to compare: a level filter leaves it out
    expect(lineMatches(line('payment failed'), parseLogQuery('payment'))).toBe(true);
    expect(lineMatches(line('payment failed'), parseLogQuery('payment level>=info'))).toBe(false);
    // != keeps lines without the field, as the daemon's SQL does
    expect(lineMatches(line('x'), parseLogQuery('user.id!=42'))).toBe(true);
  });
});
