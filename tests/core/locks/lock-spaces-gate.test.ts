// A task award's batch through the teammates' gate (LockSpaces.tryAcquireAll with a gate whose rounds the test
// answers): a lock the holder had when the round was asked needs no permission, but one it lets go while the
// round is out must not be taken again behind the teammates' backs: the batch asks again, the round's permission
// given back, and only what the teammates permitted is granted.
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockGate, LockGatePass, LockGateRequest } from '../../../main/core/locks/lock-gate.js';
import { LockSpaces } from '../../../main/core/locks/lock-spaces.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { LockInfo } from '../../../shared/lock.js';
import { until } from '../../helpers/until.js';
import { FakeLockClock } from './fake-lock-clock.js';

interface Round {
  requests: readonly LockGateRequest[];
  permit(): void;
  refuse(err: Error): void;
}

/** a gate whose rounds wait for the test; records what each pass was told */
class HeldBackGate implements LockGate {
  readonly rounds: Round[] = [];
  readonly granted: LockInfo[] = [];
  abandoned = 0;

  admit(): Promise<LockGatePass | null> {
    return Promise.resolve(null);
  }

  admitAll(requests: readonly LockGateRequest[]): Promise<LockGatePass[]> {
    return new Promise((resolve, reject) => {
      const pass = (): LockGatePass => ({
        granted: (lock) => void this.granted.push(lock),
        abandon: () => void this.abandoned++,
      });
      this.rounds.push({ requests, permit: () => resolve(requests.map(pass)), refuse: reject });
    });
  }
}

let dir: string;
let root: string;
let spaces: LockSpaces;
let gate: HeldBackGate;
const intent = (path: string) => ({
  holder: 'agent-bob',
  mode: 'INTENT' as const,
  target: { kind: 'file' as const, path },
});

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'devmesh-spaces-gate-')));
  root = join(dir, 'shop');
  mkdirSync(join(root, 'src'), { recursive: true });
  spaces = new LockSpaces({
    projects: { resolve: () => ({ id: 'shop', root }), idAt: (r) => (r === root ? 'shop' : null) },
    agents: { find: () => null },
    emit: () => undefined,
    clock: new FakeLockClock(),
  });
  gate = new HeldBackGate();
  spaces.useGate(gate);
});

afterEach(() => {
  spaces.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const asked = (round: Round | undefined) =>
  round?.requests.map((r) => (r.target.shown.kind === 'glob' ? r.target.shown.pattern : r.target.shown.path)) ?? [];

describe('a batch through the gate', () => {
  it('asks the teammates again for a lock its holder let go while the round was out', async () => {
    const m = spaces.at(root).manager;
    const held = m.tryAcquire(intent('src/a.ts'));
    if (!held.ok) throw new Error('setup: src/a.ts not granted');
    let settled = false;
    const answer = Promise.resolve(spaces.tryAcquireAll(root, [intent('src/a.ts'), intent('src/b.ts')])).finally(
      () => void (settled = true),
    );
    // bob holds src/a.ts: the round asks only for src/b.ts
    expect(asked(gate.rounds[0])).toEqual(['src/b.ts']);
    m.release(held.value.id, 'agent-bob');
    gate.rounds[0]!.permit();

    // src/a.ts is no longer bob's: taking it is a new lock, which needs the teammates' permission too
    await until('a second round, or the answer', () => gate.rounds.length === 2 || settled);
    expect(m.locksOf('agent-bob').map((l) => l.target)).toEqual([]);
    expect(asked(gate.rounds[1])).toEqual(['src/a.ts', 'src/b.ts']);
    expect(gate.abandoned).toBe(1);
    gate.rounds[1]!.permit();
    const result = await answer;
    expect(result.ok).toBe(true);
    expect(gate.granted.map((l) => l.target)).toEqual([
      { kind: 'file', path: 'src/a.ts' },
      { kind: 'file', path: 'src/b.ts' },
    ]);
  });

  it('takes nothing when the teammates refuse what was let go', async () => {
    const m = spaces.at(root).manager;
    const held = m.tryAcquire(intent('src/a.ts'));
    if (!held.ok) throw new Error('setup: src/a.ts not granted');
    const answer = Promise.resolve(spaces.tryAcquireAll(root, [intent('src/a.ts'), intent('src/b.ts')]));
    m.release(held.value.id, 'agent-bob');
    gate.rounds[0]!.permit();
    await until('a second round', () => gate.rounds.length === 2);
    gate.rounds[1]!.refuse(new DevMeshError('CONFLICT', 'ana on alice holds WRITE on src/a.ts'));
    const result = await answer;
    expect(result).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(m.locksOf('agent-bob')).toEqual([]);
    expect(gate.granted).toEqual([]);
  });

  it('refuses, taking nothing, when a lock is let go during every round it may ask', async () => {
    const m = spaces.at(root).manager;
    const ids = ['src/a.ts', 'src/b.ts', 'src/c.ts'].map((path) => {
      const held = m.tryAcquire(intent(path));
      if (!held.ok) throw new Error(`setup: ${path} not granted`);
      return held.value.id;
    });
    const batch = ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts'].map(intent);
    const answer = Promise.resolve(spaces.tryAcquireAll(root, batch, 10_000, 3));
    for (const [n, id] of ids.entries()) {
      await until(`round ${n + 1}`, () => gate.rounds.length === n + 1);
      m.release(id, 'agent-bob');
      gate.rounds[n]!.permit();
    }
    const result = await answer;
    expect(result).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(result.ok || result.error.message).toMatch(/agent-bob's INTENT on src\/c\.ts was let go/);
    expect(gate.rounds.map(asked)).toEqual([
      ['src/d.ts'],
      ['src/a.ts', 'src/d.ts'],
      ['src/a.ts', 'src/b.ts', 'src/d.ts'],
    ]);
    expect(gate.abandoned).toBe(1 + 2 + 3);
    expect(m.locksOf('agent-bob')).toEqual([]);
    expect(gate.granted).toEqual([]);
  });
});
