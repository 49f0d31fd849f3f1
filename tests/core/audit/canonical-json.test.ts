// Canonical JSON: the same value gives the same bytes whatever the key order; values JSON cannot hold are
// refused; the hand-built hash input and mirror line used by AuditLog are exactly canonicalJson's output.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditHash, auditHashInput, auditMirrorLine } from '../../../main/core/audit/audit-encoding.js';
import { canonicalJson } from '../../../main/core/audit/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops no information', () => {
    const a = { b: 1, a: [3, { z: true, y: null }], c: 'x' };
    const b = { c: 'x', a: [3, { y: null, z: true }], b: 1 };
    expect(canonicalJson(a)).toBe('{"a":[3,{"y":null,"z":true}],"b":1,"c":"x"}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
    expect(JSON.parse(canonicalJson(a))).toEqual(a);
  });

  it('is stable for numbers, strings and key order by UTF-16 code unit', () => {
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(1e21)).toBe('1e+21');
    expect(canonicalJson(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(canonicalJson('é"\n\u2028')).toBe(JSON.stringify('é"\n\u2028'));
    expect(canonicalJson({ é: 1, z: 2, Z: 3, _: 4, '10': 5, '9': 6 })).toBe('{"10":5,"9":6,"Z":3,"_":4,"z":2,"é":1}');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
  });

  it('refuses what JSON cannot hold faithfully', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(/NaN/);
    expect(() => canonicalJson({ x: Infinity })).toThrow(/Infinity/);
    expect(() => canonicalJson(10n)).toThrow(/bigint/);
    expect(() => canonicalJson([undefined])).toThrow(/undefined/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow(/cycle/);
  });

  it('the hash input and the mirror line are canonicalJson of the entry', () => {
    const data = { path: 'src/a.ts', mode: 'WRITE', n: [1, 2] };
    const row = {
      seq: 7,
      ts: 1_700_000_000_123,
      actor: 'agent "x"',
      kind: 'lock.granted',
      subject: 'src/a.ts',
      data_json: canonicalJson(data),
      prev_hash: 'ab'.repeat(32),
    };
    const entry = {
      seq: row.seq,
      ts: row.ts,
      actor: row.actor,
      kind: row.kind,
      subject: row.subject,
      data,
      prevHash: row.prev_hash,
    };
    expect(auditHashInput(row)).toBe(canonicalJson(entry));
    const hash = createHash('sha256').update(canonicalJson(entry)).digest('hex');
    expect(auditHash(row)).toBe(hash);
    expect(auditMirrorLine({ ...row, hash })).toBe(canonicalJson({ ...entry, hash }));
  });
});
