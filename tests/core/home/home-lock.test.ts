// HomeLock in one process (the cross-process cases, `kill -9` included, run real `devmesh up` processes in
// tests/cli/single-daemon.test.ts): a second hold on the same home is refused, naming the holder's pid
// and the address it announced; released, the home can be taken again; a holder that is still starting
// gets its time to announce before the refusal.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DevMeshHome } from '../../../main/core/home/devmesh-home.js';
import { HomeLock } from '../../../main/core/home/home-lock.js';
import { DevMeshError } from '../../../shared/errors.js';
import { tempDir } from '../../api/test-project.js';

let tmp: { dir: string; dispose: () => void };
let home: DevMeshHome;
const held: HomeLock[] = [];

function take(face: 'daemon' | 'electron' | 'doctor' = 'daemon'): HomeLock | null {
  const lock = HomeLock.tryAcquire(home, face);
  if (lock) held.push(lock);
  return lock;
}

beforeEach(() => {
  tmp = tempDir('devmesh-lock-');
  home = new DevMeshHome(join(tmp.dir, 'home'));
});
afterEach(() => {
  for (const lock of held.splice(0)) lock.release();
  tmp.dispose();
});

describe('HomeLock', () => {
  it('lets one holder in; a second is refused until the first lets go', () => {
    const first = take()!;
    expect(first).not.toBe(null);
    expect(take()).toBe(null);
    first.release();
    expect(take()).not.toBe(null);
  });

  it("refuses with DAEMON_ALREADY_RUNNING naming the holder's pid and announced address", async () => {
    const first = take('daemon')!;
    first.announce('http://127.0.0.1:7780/');
    const err = await HomeLock.acquire(home, 'daemon', { hint: '`devmesh open /work/shop`' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DevMeshError);
    expect((err as DevMeshError).code).toBe('DAEMON_ALREADY_RUNNING');
    expect((err as DevMeshError).message).toContain(`pid ${process.pid}`);
    expect((err as DevMeshError).message).toContain('http://127.0.0.1:7780/');
    expect((err as DevMeshError).message).toContain('devmesh open /work/shop');
    expect((err as DevMeshError).message).toContain('devmesh down');
  });

  it('waits (bounded) for a starting holder to announce its address', async () => {
    const first = take('daemon')!;
    setTimeout(() => first.announce('http://127.0.0.1:4242/'), 200);
    const err = (await HomeLock.acquire(home, 'daemon', { announceWaitMs: 10_000 }).catch(
      (e: unknown) => e,
    )) as DevMeshError;
    expect(err.message).toContain('http://127.0.0.1:4242/');
    const quick = (await HomeLock.acquire(home, 'daemon', { announceWaitMs: 0 }).catch(
      (e: unknown) => e,
    )) as DevMeshError;
    expect(quick.code).toBe('DAEMON_ALREADY_RUNNING');
  });

  it('takes the home once a holder releases while another waits', async () => {
    const first = take('daemon')!;
    setTimeout(() => first.release(), 200);
    const second = await HomeLock.acquire(home, 'electron', { announceWaitMs: 10_000 });
    held.push(second);
    expect(HomeLock.readHolder(home)).toMatchObject({ pid: process.pid, face: 'electron' });
  });

  it('keeps its files private and leaves no journal beside the lock', () => {
    take();
    expect(statSync(home.lockPath).mode & 0o777).toBe(0o600);
    expect(statSync(home.lockHolderPath).mode & 0o777).toBe(0o600);
    expect(existsSync(`${home.lockPath}-journal`)).toBe(false);
  });

  it('names `devmesh doctor` as the holder when doctor repairs the store', async () => {
    take('doctor');
    const err = (await HomeLock.acquire(home, 'daemon').catch((e: unknown) => e)) as DevMeshError;
    expect(err.message).toContain('devmesh doctor');
    expect(err.message).toContain(`pid ${process.pid}`);
  });
});
