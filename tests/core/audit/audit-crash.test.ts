// Durability: a child process appends entries and prints each acknowledged seq; it is SIGKILLed mid-way.
// Reopened, the log holds every acknowledged seq and the chain (mirror and head included) verifies.
// SIGKILL is a process crash; surviving a power cut rests on the fsyncs of durability 'full' (audit-log.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, type AuditDurability } from '../../../main/core/audit/audit-log.js';
import { Database } from '../../../main/core/store/database.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'devmesh-audit-crash-'));
const bundle = join(tmp, 'child.cjs');

beforeAll(async () => {
  await build({
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    logLevel: 'silent',
    absWorkingDir: ROOT,
    entryPoints: ['tests/core/audit/audit-crash-child.ts'],
    outfile: bundle,
    packages: 'external',
  });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** runs the child until it has acknowledged `killAfter` entries, then SIGKILLs it; returns the acknowledged seqs */
function crashAfter(dir: string, durability: AuditDurability, killAfter: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, dir, durability, '1000000'], {
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let partial = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop()!;
      for (const p of parts) acked.push(Number(p));
      if (acked.length >= killAfter && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child ended with ${code ?? signal} before it was killed: ${stderr}`));
      else resolve(acked);
    });
  });
}

describe.each(['full', 'batched', 'grouped'] as const)('AuditLog durability %s', (durability) => {
  it('keeps every acknowledged entry across a SIGKILL, and the chain verifies', async () => {
    const dir = mkdtempSync(join(tmp, `${durability}-`));
    const first = await crashAfter(dir, durability, 300);
    const second = await crashAfter(dir, durability, 300); // a second crash, on top of the first reopen
    const db = Database.open(join(dir, 'devmesh.db'));
    const log = new AuditLog(db, { mirrorPath: join(dir, '.devmesh', 'audit.jsonl'), durability });
    try {
      const acked = [...first, ...second];
      expect(acked.length).toBeGreaterThanOrEqual(600);
      const head = log.head().seq;
      expect(head).toBeGreaterThanOrEqual(Math.max(...acked));
      const present = new Set<number>();
      for (let before: number | null = head + 1; before !== null;) {
        const page = log.list({ limit: 1000, before });
        for (const e of page.entries) present.add(e.seq);
        before = page.nextBefore;
      }
      expect(acked.filter((s) => !present.has(s))).toEqual([]);
      const r = await log.verify();
      expect(r).toMatchObject({ ok: true, firstBroken: null, mirror: 'ok', headSeq: head });
      console.log(
        `[audit crash ${durability}] acknowledged ${acked.length}, kept ${head} (last acked ${Math.max(...acked)}), mirror restored at open: ${JSON.stringify(log.openReport)}`,
      );
    } finally {
      log.dispose();
      db.close();
    }
  });
});
