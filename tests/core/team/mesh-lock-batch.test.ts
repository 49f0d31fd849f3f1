// A batch of lock requests under one Lamport stamp (a task award's INTENT locks, requestAll): two machines'
// batches over shared targets are ordered the same way on every target, so one batch is first on all of them
// and the other on none. With a stamp per request the same schedule splits them: alice first on one file, bob
// on another, and neither award could take all of its files.
import { describe, expect, it } from 'vitest';
import type { MeshLockRequest } from '../../../main/core/team/mesh-lock-protocol.js';
import { LockMesh } from '../../helpers/lock-mesh.js';
import { fileT } from '../../helpers/lock-sim.js';
import { mulberry32 } from '../../helpers/mulberry32.js';

function intents(machine: string, tag: string, paths: string[]): MeshLockRequest[] {
  return paths.map((path) => ({
    requestId: `${machine}-${tag}-${path}`,
    projectKey: 'proj',
    holder: `${machine}-agent`,
    holderName: `${machine}-agent`,
    mode: 'INTENT',
    target: fileT(path),
    wait: false,
  }));
}

/** which machine was granted each of `paths` in its batch `tag` */
function winners(mesh: LockMesh, tag: string, paths: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const path of paths) {
    const who = ['alice', 'bob'].filter((m) => mesh.log(m).grants.some((g) => g.lock.id === `${m}-${tag}-${path}`));
    out.set(path, who);
  }
  return out;
}

/** alice's clock one ahead of bob's: a request of hers is still on the wire */
function skewed(): LockMesh {
  const mesh = new LockMesh(['alice', 'bob']);
  mesh.settle();
  mesh.get('alice').request({ ...intents('alice', 'skew', ['docs/notes.md'])[0]!, mode: 'READ' });
  return mesh;
}

describe('a batch of lock requests under one stamp', () => {
  it('is first on every shared target or on none, where a stamp per request splits the batches', () => {
    const shared = ['src/a.ts', 'src/b.ts'];
    const batched = skewed();
    batched.get('alice').requestAll(intents('alice', 'award', ['src/a.ts', 'src/b.ts']));
    batched.get('bob').requestAll(intents('bob', 'award', ['src/c.ts', 'src/b.ts', 'src/a.ts']));
    batched.settle();
    // bob's batch was stamped earlier (his clock was behind): his on both files, alice refused on both
    expect([...winners(batched, 'award', shared).values()]).toEqual([['bob'], ['bob']]);
    expect(
      batched
        .log('alice')
        .refusals.map((r) => r.requestId)
        .sort(),
    ).toEqual(['alice-award-src/a.ts', 'alice-award-src/b.ts']);

    const separate = skewed();
    for (const r of intents('alice', 'award', ['src/a.ts', 'src/b.ts'])) separate.get('alice').request(r);
    for (const r of intents('bob', 'award', ['src/c.ts', 'src/b.ts', 'src/a.ts'])) separate.get('bob').request(r);
    separate.settle();
    // alice.a = t+1 before bob.a = t+2, but bob.b = t+1 before alice.b = t+2: each has half
    expect([...winners(separate, 'award', shared).values()]).toEqual([['alice'], ['bob']]);
  });

  it('never splits two batches over random clocks and random delivery orders (500 seeds)', () => {
    const paths = ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts'];
    for (let seed = 1; seed <= 500; seed++) {
      const rand = mulberry32(seed);
      const mesh = new LockMesh(['alice', 'bob']);
      mesh.settle();
      // a few requests of either machine on other files, some still on the wire: the clocks drift apart
      for (let n = Math.floor(rand() * 4); n > 0; n--) {
        const m = rand() < 0.5 ? 'alice' : 'bob';
        mesh.get(m).request({ ...intents(m, `skew${n}`, [`docs/${n}.md`])[0]!, mode: 'READ' });
        if (rand() < 0.5) mesh.step(m, m === 'alice' ? 'bob' : 'alice');
      }
      const pick = (): string[] => paths.filter(() => rand() < 0.6);
      const [mine, theirs] = [pick(), pick()];
      const sharedPaths = mine.filter((p) => theirs.includes(p));
      mesh.get('alice').requestAll(
        intents(
          'alice',
          'award',
          [...mine].sort(() => rand() - 0.5),
        ),
      );
      mesh.get('bob').requestAll(
        intents(
          'bob',
          'award',
          [...theirs].sort(() => rand() - 0.5),
        ),
      );
      // random interleaving of the two directions, each FIFO
      for (let i = 0; i < 1_000; i++) {
        const ab = mesh.queue('alice', 'bob').length > 0;
        const ba = mesh.queue('bob', 'alice').length > 0;
        if (!ab && !ba) break;
        if (ab && (!ba || rand() < 0.5)) mesh.step('alice', 'bob');
        else mesh.step('bob', 'alice');
      }
      const won = winners(mesh, 'award', sharedPaths);
      const firsts = new Set([...won.values()].map((w) => w.join('+')));
      // one machine on every shared file: never both on one, never one each on two, never nobody
      expect(firsts.size, `seed ${seed}: ${JSON.stringify([...won])}`).toBeLessThanOrEqual(1);
      for (const w of won.values()) expect(w, `seed ${seed}`).toHaveLength(1);
    }
  });
});
