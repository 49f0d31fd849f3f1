// A lock manager on a temporary project root with fake time, and the events it emitted.
import { mkdtempSync, rmSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LockEvent, LockMode, LockRequest, LockTarget } from '../../../shared/lock.js';
import { LockManager, type LockManagerDeps } from '../../../main/core/locks/lock-manager.js';
import { FakeLockClock } from './fake-lock-clock.js';

export interface LockFixture {
  root: string;
  clock: FakeLockClock;
  locks: LockManager;
  events: LockEvent[];
  dispose(): void;
}

export function lockFixture(options: Partial<LockManagerDeps> = {}): LockFixture {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'devmesh-locks-')));
  const clock = new FakeLockClock();
  const locks = new LockManager({
    root,
    clock,
    defaultTtlMs: 10_000,
    graceMs: 2_000,
    defaultWaitMs: 5_000,
    ...options,
  });
  const events: LockEvent[] = [];
  locks.onDidChange((e) => events.push(e));
  return {
    root,
    clock,
    locks,
    events,
    dispose() {
      locks.dispose();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export const file = (path: string): LockTarget => ({ kind: 'file', path });
export const dir = (path: string): LockTarget => ({ kind: 'dir', path });
export const glob = (pattern: string): LockTarget => ({ kind: 'glob', pattern });

export function req(
  holder: string,
  mode: LockMode,
  target: LockTarget | string,
  extra: Partial<LockRequest> = {},
): LockRequest {
  return { holder, mode, target: typeof target === 'string' ? file(target) : target, ...extra };
}

/** settles pending promise callbacks */
export const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
