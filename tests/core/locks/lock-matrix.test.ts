// Every cell of the compatibility matrix (different holders, one file), the same-holder rules, and the
// markdown rendering the README takes the table from.
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_MODES, type LockMode } from '../../../shared/lock.js';
import { LOCK_MATRIX, renderLockMatrix } from '../../../main/core/locks/lock-matrix.js';
import { lockFixture, req, type LockFixture } from './lock-fixture.js';

// The words, written out independently of LOCK_MATRIX so a typo in either shows.
const EXPECTED: Record<LockMode, LockMode[]> = { READ: ['READ'], INTENT: ['READ'], WRITE: [], CO_WRITE: ['CO_WRITE'] };

let fx: LockFixture;
afterEach(() => fx?.dispose());

describe('lock matrix (held → requested, different holders)', () => {
  const cells = LOCK_MODES.flatMap((held) =>
    LOCK_MODES.map((requested) => ({ held, requested, admitted: EXPECTED[held].includes(requested) })),
  );
  it.each(cells)('$held held, $requested requested → admitted: $admitted', ({ held, requested, admitted }) => {
    fx = lockFixture();
    expect(LOCK_MATRIX[held][requested]).toBe(admitted);
    expect(fx.locks.tryAcquire(req('agent-a', held, 'src/x.ts')).ok).toBe(true);
    const r = fx.locks.tryAcquire(req('agent-b', requested, 'src/x.ts'));
    expect(r.ok).toBe(admitted);
    if (!r.ok) {
      expect(r.error.code).toBe('CONFLICT');
      expect(r.error.message).toContain(`agent-a holds ${held} src/x.ts`);
      expect(r.blockers.map((b) => b.holder)).toEqual(['agent-a']);
    }
  });
});

describe('same holder', () => {
  it('re-requesting a held mode is idempotent: same lock, TTL refreshed', () => {
    fx = lockFixture();
    const first = fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    fx.clock.advance(4_000);
    const again = fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again.value.id).toBe(first.value.id);
    expect(again.value.expiresAt).toBe(first.value.expiresAt + 4_000);
    expect(fx.locks.list().locks).toHaveLength(1);
  });

  it('never conflicts with itself across overlapping targets', () => {
    fx = lockFixture();
    expect(fx.locks.tryAcquire(req('a', 'WRITE', { kind: 'dir', path: 'src' })).ok).toBe(true);
    expect(fx.locks.tryAcquire(req('a', 'READ', 'src/x.ts')).ok).toBe(true);
  });

  it('READ → WRITE converts in place when it is the sole holder', () => {
    fx = lockFixture();
    const r = fx.locks.tryAcquire(req('a', 'READ', 'x.ts'));
    const w = fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    expect(r.ok && w.ok && w.value.id === r.value.id && w.value.mode === 'WRITE').toBe(true);
    expect(fx.events.at(-1)).toMatchObject({ type: 'granted', previousMode: 'READ' });
  });

  it('READ → WRITE waits while another reader holds, and goes before earlier waiters', async () => {
    fx = lockFixture();
    fx.locks.tryAcquire(req('a', 'READ', 'x.ts'));
    fx.locks.tryAcquire(req('b', 'READ', 'x.ts'));
    const order: string[] = [];
    const cWrite = fx.locks.acquire(req('c', 'WRITE', 'x.ts')).then(() => order.push('c'));
    const aUp = fx.locks.acquire(req('a', 'WRITE', 'x.ts')).then(() => order.push('a'));
    expect(fx.locks.list().waiters.map((w) => [w.holder, w.upgrade])).toEqual([
      ['a', true],
      ['c', false],
    ]);
    fx.locks.release(fx.locks.locksOf('b')[0]!.id, 'b');
    await aUp;
    expect(order).toEqual(['a']);
    fx.locks.releaseHolder('a', 'done');
    await cWrite;
    expect(order).toEqual(['a', 'c']);
  });

  it('INTENT admits readers; its holder upgrades to WRITE once they are gone; others cannot', async () => {
    fx = lockFixture();
    expect(fx.locks.tryAcquire(req('a', 'INTENT', 'x.ts')).ok).toBe(true);
    expect(fx.locks.tryAcquire(req('b', 'READ', 'x.ts')).ok).toBe(true);
    expect(fx.locks.tryAcquire(req('c', 'WRITE', 'x.ts')).ok).toBe(false);
    expect(fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts')).ok).toBe(false);
    const up = fx.locks.acquire(req('a', 'WRITE', 'x.ts'));
    fx.locks.releaseHolder('b', 'exit');
    await expect(up).resolves.toMatchObject({ holder: 'a', mode: 'WRITE' });
  });

  it('a downgrade admits waiters at once', async () => {
    fx = lockFixture();
    fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    const b = fx.locks.acquire(req('b', 'READ', 'x.ts'));
    expect(fx.locks.tryAcquire(req('a', 'READ', 'x.ts')).ok).toBe(true);
    await expect(b).resolves.toMatchObject({ holder: 'b', mode: 'READ' });
  });
});

describe('renderLockMatrix', () => {
  it('renders the table the README shows, and the file header repeats it', async () => {
    const table = renderLockMatrix();
    expect(table).toBe(
      [
        '| held ↓ / requested → | READ | INTENT | WRITE | CO_WRITE |',
        '| -------------------- | ---- | ------ | ----- | -------- |',
        '| READ                 | ✓    | ✗      | ✗     | ✗        |',
        '| INTENT               | ✓    | ✗      | ✗     | ✗        |',
        '| WRITE                | ✗    | ✗      | ✗     | ✗        |',
        '| CO_WRITE             | ✗    | ✗      | ✗     | ✓        |',
      ].join('\n'),
    );
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('../../../main/core/locks/lock-matrix.ts', import.meta.url), 'utf8');
    const header = table
      .split('\n')
      .map((l) => `// ${l}`)
      .join('\n');
    expect(source).toContain(header);
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(table);
  });
});
