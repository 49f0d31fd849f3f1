// AuditLog against a real SQLite store and JSONL mirror: a clean chain verifies; each kind of tampering
// (edit, delete, reorder, cut tail, mirror-only edit) is caught and the first broken entry named; filters
// and paging; a mirror left behind by a crash is restored at open. Prints append and verify figures.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, type AuditDurability } from '../../../main/core/audit/audit-log.js';
import { Database } from '../../../main/core/store/database.js';
import { scaled } from '../../helpers/load-scale.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function open(opts: { dir?: string; durability?: AuditDurability; now?: () => number } = {}) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'devmesh-audit-'));
  if (!opts.dir) cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const db = Database.open(join(dir, 'devmesh.db'));
  const mirrorPath = join(dir, '.devmesh', 'audit.jsonl');
  const log = new AuditLog(db, {
    mirrorPath,
    durability: opts.durability ?? 'full',
    ...(opts.now ? { now: opts.now } : {}),
  });
  const close = (): void => {
    log.dispose();
    db.close();
  };
  cleanups.push(close);
  return { dir, db, log, mirrorPath, sql: db.db };
}

function fill(log: AuditLog, n: number): void {
  for (let i = 1; i <= n; i++)
    log.append({
      actor: `agent-${i % 3}`,
      kind: i % 2 ? 'lock.granted' : 'lock.released',
      subject: `src/f${i}.ts`,
      data: { i, mode: 'WRITE' },
    });
}

function mirrorLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

describe('AuditLog', () => {
  it('appends 1,000 linked entries and verifies them, mirror included', async () => {
    const { log, mirrorPath } = open({ durability: 'batched' });
    fill(log, 1000);
    const first = log.list({ limit: 1, before: 2 }).entries[0]!;
    expect(first.prevHash).toBe('0'.repeat(64));
    const [b, a] = log.list({ limit: 2 }).entries;
    expect(b!.seq).toBe(1000);
    expect(b!.prevHash).toBe(a!.hash);
    expect(log.head()).toEqual({ seq: 1000, hash: b!.hash });
    expect(mirrorLines(mirrorPath)).toHaveLength(1000);
    expect(await log.verify()).toEqual({
      ok: true,
      entries: 1000,
      firstBroken: null,
      headSeq: 1000,
      mirror: 'ok',
      mirrorBehind: 0,
      gaps: [],
    });
  });

  it('catches an edited entry: hash mismatch at its seq', async () => {
    const { log, sql } = open({ durability: 'batched' });
    fill(log, 100);
    sql.prepare(`UPDATE audit_entries SET data_json = '{"i":41,"mode":"READ"}' WHERE seq = 41`).run();
    const r = await log.verify();
    expect(r.ok).toBe(false);
    expect(r.firstBroken!.seq).toBe(41);
    expect(r.firstBroken!.why).toMatch(/entry 41 was edited/);
    expect(r.mirror).toBe('mismatch');
  });

  it('catches a deleted entry: a seq gap names the missing one', async () => {
    const { log, sql } = open({ durability: 'batched' });
    fill(log, 100);
    sql.prepare('DELETE FROM audit_entries WHERE seq = 50').run();
    const r = await log.verify();
    expect(r.firstBroken).toEqual({
      seq: 50,
      why: expect.stringMatching(/entry 50 is missing .*from 49 to 51/) as unknown as string,
    });
    expect(r.entries).toBe(99);
  });

  it('catches a reordered pair: the link breaks at the first of them', async () => {
    const { log, sql } = open({ durability: 'batched' });
    fill(log, 100);
    const cols = 'ts, actor, kind, subject, data_json, prev_hash, hash';
    const get = sql.prepare(`SELECT ${cols} FROM audit_entries WHERE seq = ?`);
    const put = sql.prepare(
      'UPDATE audit_entries SET ts = @ts, actor = @actor, kind = @kind, subject = @subject, data_json = @data_json, prev_hash = @prev_hash, hash = @hash WHERE seq = @seq',
    );
    const r30 = get.get(30) as Record<string, unknown>;
    const r31 = get.get(31) as Record<string, unknown>;
    sql.transaction(() => {
      put.run({ ...r31, seq: 30 });
      put.run({ ...r30, seq: 31 });
    })();
    const r = await log.verify();
    expect(r.firstBroken!.seq).toBe(30);
    expect(r.firstBroken!.why).toMatch(/link broken at entry 30/);
  });

  it('catches a cut tail (last 3 rows and last 3 mirror lines gone) through the head', async () => {
    const { log, sql, mirrorPath } = open({ durability: 'batched' });
    fill(log, 100);
    log.flush();
    sql.prepare('DELETE FROM audit_entries WHERE seq > 97').run();
    writeFileSync(mirrorPath, mirrorLines(mirrorPath).slice(0, 97).join('\n') + '\n');
    const r = await log.verify();
    expect(r.ok).toBe(false);
    expect(r.mirror).toBe('ok');
    expect(r.headSeq).toBe(100);
    expect(r.firstBroken!.seq).toBe(98);
    expect(r.firstBroken!.why).toMatch(/chain ends at entry 97 but the head says 100/);
  });

  it('catches an edit of the JSONL mirror alone: mirror mismatch at its line', async () => {
    const { log, mirrorPath } = open({ durability: 'batched' });
    fill(log, 100);
    log.flush();
    const lines = mirrorLines(mirrorPath);
    lines[59] = lines[59]!.replace('"mode":"WRITE"', '"mode":"READ"');
    writeFileSync(mirrorPath, lines.join('\n') + '\n');
    const r = await log.verify();
    expect(r).toMatchObject({ ok: false, entries: 100, mirror: 'mismatch', headSeq: 100 });
    expect(r.firstBroken!.seq).toBe(60);
    expect(r.firstBroken!.why).toMatch(/mirror mismatch at line 60/);
  });

  it('catches mirror lines past the chain; a mirror cut short is behind, not tampered, and not ok', async () => {
    const { log, mirrorPath } = open({ durability: 'batched' });
    fill(log, 10);
    log.flush();
    const lines = mirrorLines(mirrorPath);
    appendFileSync(mirrorPath, lines[9]! + '\n');
    expect((await log.verify()).firstBroken).toMatchObject({
      seq: 11,
      why: expect.stringMatching(/line 11: the mirror goes on past/) as unknown as string,
    });
    writeFileSync(mirrorPath, lines.slice(0, 8).join('\n') + '\n');
    expect(await log.verify()).toMatchObject({ ok: false, firstBroken: null, mirror: 'behind', mirrorBehind: 2 });
  });

  it('lists newest first, filtered by actor, kind and time, paged with a cursor', () => {
    let t = 1_000;
    const { log } = open({ durability: 'batched', now: () => (t += 10) });
    fill(log, 30); // ts 1010..1300
    const all = log.list({ limit: 1000 });
    expect(all.entries.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    expect(all.nextBefore).toBeNull();
    expect(log.list({ actor: 'agent-1', limit: 100 }).entries.map((e) => e.seq)).toEqual([
      28, 25, 22, 19, 16, 13, 10, 7, 4, 1,
    ]);
    expect(log.list({ kind: 'lock.released', limit: 100 }).entries.every((e) => e.seq % 2 === 0)).toBe(true);

    expect(log.list({ since: 1100, until: 1150, limit: 100 }).entries.map((e) => e.ts)).toEqual([
      1140, 1130, 1120, 1110, 1100,
    ]);
    const p1 = log.list({ actor: 'agent-1', limit: 4 });
    expect(p1.entries.map((e) => e.seq)).toEqual([28, 25, 22, 19]);
    const p2 = log.list({ actor: 'agent-1', limit: 4, before: p1.nextBefore! });
    expect(p2.entries.map((e) => e.seq)).toEqual([16, 13, 10, 7]);
    const p3 = log.list({ actor: 'agent-1', limit: 4, before: p2.nextBefore! });
    expect(p3).toMatchObject({ nextBefore: null });
    expect(p3.entries.map((e) => e.seq)).toEqual([4, 1]);
    expect(log.list({ limit: 1 }).entries[0]!.data).toEqual({ i: 30, mode: 'WRITE' });
    expect(() => log.list({ limit: 0 })).toThrow(/limit/);
    // a kind's dotted prefix: every lock.* entry, not lockx.* nor `locks`
    log.append({ actor: 'agent-9', kind: 'lockx.odd', subject: 'x', data: null });
    log.append({ actor: 'agent-9', kind: 'locks', subject: 'x', data: null });
    const locks = log.list({ kind: 'lock', limit: 100 }).entries;
    expect(locks).toHaveLength(30);
    expect(new Set(locks.map((e) => e.kind))).toEqual(new Set(['lock.granted', 'lock.released']));
  });

  it('refuses data that is not plain JSON or too large, and bad kinds', () => {
    const { log } = open();
    expect(() => log.append({ actor: 'a', kind: 'x.y', subject: '', data: { n: Number.NaN } })).toThrow(/plain JSON/);
    expect(() => log.append({ actor: 'a', kind: 'Not Dotted', subject: '', data: null })).toThrow(/dotted/);
    expect(() => log.append({ actor: 'a', kind: 'x.y', subject: '', data: 'x'.repeat(70_000) })).toThrow(/over 65536/);
    expect(log.head().seq).toBe(0);
  });

  it('syncs its own commits fully and leaves the rest of the store at NORMAL', () => {
    const { log, sql } = open({ durability: 'full' });
    expect(sql.pragma('synchronous', { simple: true })).toBe(1);
    log.append({ actor: 'a', kind: 'x.y', subject: 's', data: null });
    expect(sql.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('restores mirror lines a crash kept from the mirror, cuts a torn line, and records the repair', async () => {
    const { dir, log, mirrorPath, db } = open();
    fill(log, 5);
    log.dispose();
    db.close();
    const lines = mirrorLines(mirrorPath);
    // the crash: entry 5 committed in SQLite, its mirror line half written
    writeFileSync(mirrorPath, lines.slice(0, 4).join('\n') + '\n' + lines[4]!.slice(0, 20));
    const again = open({ dir });
    expect(again.log.openReport).toEqual({ restoredLines: 1, tornBytes: 20 });
    const repair = again.log.list({ limit: 1 }).entries[0]!;
    expect(repair).toMatchObject({
      seq: 6,
      kind: 'audit.mirror-restored',
      data: { fromSeq: 5, toSeq: 5, tornBytes: 20 },
    });
    expect(await again.log.verify()).toMatchObject({ ok: true, entries: 6, mirror: 'ok' });
  });

  it(
    'figures: appends/s with durability full and batched, verify time for 100,000 entries',
    async () => {
      const rate = (durability: AuditDurability, n: number): number => {
        const { log } = open({ durability });
        const t0 = performance.now();
        fill(log, n);
        return n / ((performance.now() - t0) / 1000);
      };
      const full = rate('full', 300);
      const batched = rate('batched', 5000);
      const { log } = open({ durability: 'batched' });
      const n = 100_000;
      const t0 = performance.now();
      fill(log, n);
      const fillMs = performance.now() - t0;
      log.flush();
      const t1 = performance.now();
      const r = await log.verify();
      const verifyMs = performance.now() - t1;
      expect(r.ok).toBe(true);
      console.log(
        `[audit figures] appends/s: full ${full.toFixed(0)}, batched ${batched.toFixed(0)} (${(batched / full).toFixed(1)}x); ` +
          `${n} batched appends in ${(fillMs / 1000).toFixed(1)} s; verify ${n} entries: ${(verifyMs / 1000).toFixed(2)} s ` +
          `(${(n / (verifyMs / 1000)).toFixed(0)} entries/s; 1,000,000 ≈ ${((verifyMs * 10) / 1000).toFixed(1)} s); heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`,
      );
    },
    scaled(120_000),
  );
});
