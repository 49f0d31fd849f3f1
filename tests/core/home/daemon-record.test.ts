// The check of $DEVMESH_HOME/daemon.json, written without zod so that every CLI command can read the file
// without loading zod: it accepts and returns exactly what the zod schema it replaced did.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseDaemonRecord } from '../../../main/core/home/daemon-record.js';

/** the schema main/core/home/devmesh-home.ts used before (zod strips unknown keys) */
const FormerSchema = z.object({
  pid: z.number().int(),
  port: z.number().int(),
  url: z.string(),
  version: z.string(),
  face: z.enum(['daemon', 'electron']),
  startedAt: z.number(),
});

const good = {
  pid: 4242,
  port: 7780,
  url: 'http://127.0.0.1:7780/',
  version: '0.1.0',
  face: 'daemon',
  startedAt: 1_765_000_000_000.5,
};

const cases: Array<[string, unknown]> = [
  ['a daemon', good],
  ['the app', { ...good, face: 'electron' }],
  ['extra fields', { ...good, extra: 1, nested: { a: 1 } }],
  ['port 0 and a negative pid', { ...good, port: 0, pid: -1 }],
  ...(['pid', 'port', 'url', 'version', 'face', 'startedAt'] as const).map((k): [string, unknown] => [
    `no ${k}`,
    { ...good, [k]: undefined },
  ]),
  ['a fractional pid', { ...good, pid: 1.5 }],
  ['an unsafe integer port', { ...good, port: 2 ** 53 }],
  ['a pid as a string', { ...good, pid: '4242' }],
  ['NaN startedAt', { ...good, startedAt: Number.NaN }],
  ['infinite startedAt', { ...good, startedAt: Number.POSITIVE_INFINITY }],
  ['startedAt as a string', { ...good, startedAt: '1765000000000' }],
  ['another face', { ...good, face: 'cli' }],
  ['a number url', { ...good, url: 7780 }],
  ['a null version', { ...good, version: null }],
  ['null', null],
  ['an array', [good]],
  ['a string', JSON.stringify(good)],
  ['a number', 42],
];

describe('parseDaemonRecord', () => {
  it.each(cases)('agrees with the former zod schema on %s', (_what, value) => {
    const former = FormerSchema.safeParse(value);
    expect(parseDaemonRecord(value)).toEqual(former.success ? former.data : null);
  });

  it('keeps only the record fields', () => {
    expect(Object.keys(parseDaemonRecord({ ...good, extra: 1 }) ?? {}).sort()).toEqual(Object.keys(good).sort());
  });
});
