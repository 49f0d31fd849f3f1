// The mesh-wide lock protocol on a few hand-driven machines: refusals and queues that name the holder and its
// machine, simultaneous requests, the matrix across machines, partitions, heals, duplicates, restarts and the
// compare-and-set round on a state key.
import { describe, expect, it } from 'vitest';
import type { LockMode } from '../../../shared/lock.js';
import type { ResolvedTarget } from '../../../main/core/locks/target-overlap.js';
import { LockMesh } from '../../helpers/lock-mesh.js';
import { dirT, fileT, globT } from '../../helpers/lock-sim.js';

let ids = 0;
function ask(mesh: LockMesh, machine: string, mode: LockMode, target: ResolvedTarget, wait = false, holder?: string) {
  const requestId = `${machine}-req${++ids}`;
  const who = holder ?? `${machine}-agent`;
  mesh
    .get(machine)
    .request({ requestId, projectKey: 'proj', holder: who, holderName: `${who} (claude)`, mode, target, wait });
  return requestId;
}
const granted = (mesh: LockMesh, machine: string) => mesh.log(machine).grants.map((g) => g.lock.id);

describe('a lock on one machine, a request on another', () => {
  it('refuses a conflicting request (wait=false), naming the holder and its machine', () => {
    const mesh = new LockMesh(['alice', 'bob']);
    const held = ask(mesh, 'alice', 'WRITE', fileT('src/orders.ts'));
    mesh.settle();
    expect(granted(mesh, 'alice')).toEqual([held]);
    const refused = ask(mesh, 'bob', 'READ', dirT('src'));
    mesh.settle();
    expect(granted(mesh, 'bob')).toEqual([]);
    expect(mesh.log('bob').refusals).toEqual([
      {
        requestId: refused,
        holder: 'bob-agent',
        blockers: [
          expect.objectContaining({
            id: held,
            holder: 'alice-agent',
            holderName: 'alice-agent (claude)',
            machine: 'alice',
            state: 'held',
          }),
        ],
      },
    ]);
    expect(mesh.log('bob').refusals[0]!.blockers[0]!.claim).toMatchObject({
      mode: 'WRITE',
      target: { path: 'src/orders.ts' },
    });
  });

  it('queues a waiting request behind the holder and grants it when the holder releases', () => {
    const mesh = new LockMesh(['alice', 'bob', 'carol']);
    const held = ask(mesh, 'alice', 'WRITE', globT('src/**/*.ts'));
    mesh.settle();
    const waiting = ask(mesh, 'bob', 'WRITE', fileT('src/lib/a.ts'), true);
    mesh.settle();
    expect(granted(mesh, 'bob')).toEqual([]);
    expect(mesh.log('bob').queued).toEqual([
      {
        requestId: waiting,
        holder: 'bob-agent',
        blockers: [expect.objectContaining({ machine: 'alice', holder: 'alice-agent' })],
      },
    ]);
    mesh.get('alice').release(held);
    mesh.settle();
    expect(granted(mesh, 'bob')).toEqual([waiting]);
    expect(mesh.log('bob').grants[0]!.lock.partitioned).toEqual([]);
  });

  it('lets a disjoint target and another project key through', () => {
    const mesh = new LockMesh(['alice', 'bob'], ['proj', 'other']);
    ask(mesh, 'alice', 'WRITE', fileT('src/a.ts'));
    mesh.settle();
    const disjoint = ask(mesh, 'bob', 'WRITE', globT('src/*.css'));
    mesh.get('bob').request({
      ...{ requestId: 'bob-other', projectKey: 'other', holder: 'bob-agent', holderName: 'bob' },
      ...{ mode: 'WRITE', target: fileT('src/a.ts'), wait: false },
    });
    mesh.settle();
    expect(granted(mesh, 'bob')).toEqual([disjoint, 'bob-other']);
  });
});

describe('simultaneous requests', () => {
  it.each([false, true])('two conflicting requests at once (wait=%s): exactly one is granted first', (wait) => {
    const mesh = new LockMesh(['alice', 'bob', 'carol']);
    const a = ask(mesh, 'alice', 'WRITE', fileT('src/a.ts'), wait);
    const b = ask(mesh, 'bob', 'INTENT', dirT('src'), wait);
    mesh.settle();
    // equal Lamport stamps: the tie-break (machine id) lets alice go first
    expect(granted(mesh, 'alice')).toEqual([a]);
    expect(granted(mesh, 'bob')).toEqual([]);
    mesh.get('alice').release(a);
    mesh.settle();
    expect(granted(mesh, 'bob')).toEqual(wait ? [b] : []);
    expect(mesh.log('bob').refusals.length).toBe(wait ? 0 : 1);
  });

  it.each([
    ['READ', 'READ'],
    ['CO_WRITE', 'CO_WRITE'],
  ] as const)('%s and %s at once are both granted', (x, y) => {
    const mesh = new LockMesh(['alice', 'bob']);
    const a = ask(mesh, 'alice', x, fileT('src/a.ts'));
    const b = ask(mesh, 'bob', y, dirT('src'));
    mesh.settle();
    expect([granted(mesh, 'alice'), granted(mesh, 'bob')]).toEqual([[a], [b]]);
  });

  it('orders INTENT and READ by the matrix: INTENT held admits READ, READ held refuses INTENT', () => {
    const mesh = new LockMesh(['alice', 'bob']);
    ask(mesh, 'alice', 'INTENT', fileT('src/a.ts'));
    mesh.settle();
    const read = ask(mesh, 'bob', 'READ', dirT('src'));
    mesh.settle();
    expect(granted(mesh, 'bob')).toEqual([read]);
    const intent = ask(mesh, 'alice', 'INTENT', fileT('src/b.ts'), false, 'alice-other');
    mesh.settle();
    expect(mesh.log('alice').refusals.map((r) => [r.requestId, r.blockers.map((x) => [x.holder, x.machine])])).toEqual([
      [intent, [['bob-agent', 'bob']]],
    ]);
  });

  it('never makes a holder conflict with itself', () => {
    const mesh = new LockMesh(['alice']);
    ask(mesh, 'alice', 'WRITE', fileT('src/a.ts'));
    ask(mesh, 'alice', 'WRITE', dirT('src'));
    expect(mesh.log('alice').grants.length).toBe(2);
  });
});

describe('requests that end ungranted', () => {
  it.each(['refused', 'withdrawn'] as const)('a %s request answers what it deferred', (how) => {
    const mesh = new LockMesh(['alice', 'bob', 'carol']);
    ask(mesh, 'carol', 'WRITE', fileT('src/a.ts'));
    mesh.settle();
    const a = ask(mesh, 'alice', 'WRITE', dirT('src'), how === 'withdrawn');
    const b = ask(mesh, 'bob', 'WRITE', fileT('src/b.ts'), true);
    mesh.step('bob', 'alice'); // alice's request came first (same stamp, smaller machine id): bob's waits for it
    mesh.settle();
    expect(mesh.log('bob').queued.map((q) => q.blockers)).toEqual([
      [expect.objectContaining({ id: a, machine: 'alice', state: 'pending' })],
    ]);
    if (how === 'refused') expect(mesh.log('alice').refusals.map((r) => r.blockers[0]!.machine)).toEqual(['carol']);
    else {
      expect(granted(mesh, 'bob')).toEqual([]); // alice still waits for carol, and bob for alice
      mesh.get('alice').release(a); // her wait timed out
      mesh.settle();
    }
    expect(granted(mesh, 'bob')).toEqual([b]);
    expect(mesh.get('alice').pendingRequests()).toEqual([]);
  });
});

describe('partitions and heals', () => {
  it('grants while a participant is unreachable, marked partitioned with it named', () => {
    const mesh = new LockMesh(['alice', 'bob', 'carol']);
    mesh.unplug('alice', 'bob');
    const a = ask(mesh, 'alice', 'WRITE', fileT('src/a.ts'));
    mesh.settle();
    expect(mesh.log('alice').grants.map((g) => [g.lock.id, g.lock.partitioned])).toEqual([[a, ['bob']]]);
  });

  it('a machine lost mid-round completes the round, partitioned; one coming up mid-round is asked too', () => {
    const mesh = new LockMesh(['alice', 'bob', 'carol']);
    mesh.unplug('alice', 'carol');
    const held = ask(mesh, 'carol', 'WRITE', fileT('src/a.ts'));
    mesh.settle();
    expect(mesh.log('carol').grants.map((g) => [g.lock.id, g.lock.partitioned])).toEqual([[held, ['alice']]]);
    const a = ask(mesh, 'alice', 'WRITE', fileT('src/a.ts'), true);
    mesh.plug('alice', 'carol'); // carol comes up mid-round: she is asked too, and defers
    mesh.settle();
    expect(granted(mesh, 'alice')).toEqual([]);
    expect(mesh.log('alice').queued.map((q) => q.blockers[0]!.machine)).toEqual(['carol']);
    mesh.unplug('alice', 'carol'); // carol goes down: bob already agreed, so the round completes
    expect(mesh.log('alice').grants.map((g) => [g.lock.id, g.lock.partitioned])).toEqual([[a, ['carol']]]);
  });

  it('a machine reported up twice is asked again, not skipped; one that left is no longer named', () => {
    const mesh = new LockMesh(['alice', 'bob', 'carol']);
    ask(mesh, 'bob', 'WRITE', fileT('src/a.ts'));
    mesh.settle();
    const a = ask(mesh, 'alice', 'WRITE', fileT('src/a.ts'), true);
    mesh.settle();
    // a new link before the old one was reported down, on both ends
    mesh.get('alice').machineUp('bob', ['proj']);
    mesh.get('bob').machineUp('alice', ['proj']);
    mesh.settle();
    expect(granted(mesh, 'alice')).toEqual([]);
    mesh.get('alice').machineDown('carol', 'left');
    mesh.get('bob').release(mesh.log('bob').grants[0]!.lock.id);
    mesh.settle();
    expect(mesh.log('alice').grants.map((g) => [g.lock.id, g.lock.partitioned])).toEqual([[a, []]]);
  });

  it('a heal raises each conflicting pair on both machines, exactly once, however often the link flaps', () => {
    const mesh = new LockMesh(['alice', 'bob']);
    mesh.unplug('alice', 'bob');
    const a = ask(mesh, 'alice', 'WRITE', fileT('src/a.ts'));
    const b = ask(mesh, 'bob', 'CO_WRITE', dirT('src'));
    const ok = ask(mesh, 'bob', 'READ', fileT('src/b.ts'));
    expect([granted(mesh, 'alice'), granted(mesh, 'bob')]).toEqual([[a], [b, ok]]);
    for (let i = 0; i < 3; i++) {
      mesh.plug('alice', 'bob');
      mesh.settle();
      mesh.unplug('alice', 'bob');
    }
    const pairs = (id: string) => mesh.log(id).conflicts.map((c) => [c.mine.id, c.theirs.machine, c.theirs.id]);
    expect(pairs('alice')).toEqual([[a, 'bob', b]]);
    expect(pairs('bob')).toEqual([[b, 'alice', a]]);
    expect(mesh.log('alice').conflicts[0]!.theirs).toMatchObject({ holder: 'bob-agent', partitioned: ['alice'] });
  });

  it('a restarted machine comes back with its held locks (from SQLite) and no pending requests', () => {
    const mesh = new LockMesh(['alice', 'bob']);
    const held = ask(mesh, 'bob', 'WRITE', fileT('src/a.ts'));
    ask(mesh, 'bob', 'WRITE', fileT('src/a.ts'), true, 'bob-waiter');
    mesh.settle();
    const restored = mesh.get('bob').heldClaims();
    mesh.boot('bob', restored, { clockStart: 0 });
    mesh.plug('alice', 'bob');
    mesh.settle();
    expect(mesh.get('bob').pendingRequests()).toEqual([]);
    const refused = ask(mesh, 'alice', 'READ', fileT('src/a.ts'));
    mesh.settle();
    expect(mesh.log('alice').refusals.map((r) => [r.requestId, r.blockers[0]!.id, r.blockers[0]!.machine])).toEqual([
      [refused, held, 'bob'],
    ]);
  });
});

describe('duplicates and stale frames', () => {
  it('a request and a reply delivered twice change nothing', () => {
    const mesh = new LockMesh(['alice', 'bob']);
    mesh.settle();
    ask(mesh, 'alice', 'WRITE', fileT('src/a.ts'), true);
    const request = mesh.queue('alice', 'bob')[0]!;
    mesh.queue('alice', 'bob').push(structuredClone(request));
    mesh.step('alice', 'bob');
    mesh.step('alice', 'bob');
    expect(mesh.queue('bob', 'alice').map((m) => m.t)).toEqual(['ok', 'ok']);
    mesh.settle();
    expect(mesh.log('alice').grants.length).toBe(1);
    const b = ask(mesh, 'bob', 'WRITE', fileT('src/a.ts'), true);
    mesh.queue('bob', 'alice').push(structuredClone(mesh.queue('bob', 'alice')[0]!));
    mesh.settle();
    expect(mesh.log('bob').queued.length).toBe(1); // alice deferred it once, not twice
    mesh.get('alice').release(mesh.log('alice').grants[0]!.lock.id);
    mesh.settle();
    expect(granted(mesh, 'bob')).toEqual([b]);
  });

  it('drops the frames of an older link re-sent after a reconnect', () => {
    const mesh = new LockMesh(['alice', 'bob', 'carol']);
    mesh.settle();
    const carols = ask(mesh, 'carol', 'READ', fileT('src/a.ts'));
    mesh.settle();
    const a = ask(mesh, 'alice', 'WRITE', fileT('src/a.ts'), true);
    mesh.step('alice', 'bob'); // bob agrees; his ok is in flight when the cable is cut
    const stale = mesh.queue('bob', 'alice').slice();
    expect(stale.map((m) => m.t)).toEqual(['ok']);
    mesh.unplug('alice', 'bob');
    mesh.settle(); // carol defers alice (her READ is held)
    const bobs = ask(mesh, 'bob', 'READ', fileT('src/a.ts')); // granted: alice is unreachable
    mesh.settle();
    expect(granted(mesh, 'bob')).toEqual([bobs]);
    mesh.plug('alice', 'bob');
    mesh.queue('bob', 'alice').splice(1, 0, ...stale); // the old ok, re-sent right after bob's `held`
    mesh.get('carol').release(carols);
    mesh.settle();
    // the old ok answered the old link's attempt: alice waits for bob's READ, or she would write under it
    expect(granted(mesh, 'alice')).toEqual([]);
    mesh.get('bob').release(bobs);
    mesh.settle();
    expect(granted(mesh, 'alice')).toEqual([a]);
  });

  it('reports a malformed frame and ignores it', () => {
    const problems: string[] = [];
    const mesh = new LockMesh(['alice', 'bob'], ['proj'], { report: (p) => problems.push(p) });
    mesh.get('alice').receive('bob', { t: 'ok', id: 5 });
    expect(problems).toEqual([expect.stringContaining('a malformed locks frame from bob')]);
  });
});

describe('compare-and-set on a state key', () => {
  it('of two machines setting one key from the same version, exactly one wins', () => {
    const versions = new Map([
      ['alice', 3],
      ['bob', 3],
    ]);
    const mesh = new LockMesh(['alice', 'bob']);
    for (const id of ['alice', 'bob']) mesh.boot(id, [], { stateVersion: () => versions.get(id)! });
    mesh.plug('alice', 'bob');
    const wins: string[] = [];
    for (const id of ['alice', 'bob']) {
      mesh.get(id).onDidGrant(({ lock, newest }) => {
        if (newest!.version === 3) {
          wins.push(id); // the CAS from 3 succeeds: write 4 everywhere (the state channel's job), then release
          for (const m of versions.keys()) versions.set(m, 4);
        }
        mesh.get(id).release(lock.id);
      });
      mesh.get(id).requestState({
        requestId: `${id}-cas`,
        projectKey: 'proj',
        holder: `${id}-agent`,
        holderName: id,
        key: 'k',
        wait: true,
      });
    }
    mesh.settle();
    expect(wins).toEqual(['alice']);
    expect(mesh.log('bob').grants[0]!.newest).toEqual({ version: 4, machine: 'bob' });
  });
});

describe('a machine whose projects change while linked', () => {
  it('is asked once it opens the project, and its replies still count after a one-sided key change', () => {
    const mesh = new LockMesh(['alice', 'bob'], []);
    // bob opens `proj` (alice hears it): alice's keys for bob change within the session
    mesh.get('alice').machineKeys('bob', ['proj']);
    mesh.get('bob').machineKeys('alice', []);
    const held = ask(mesh, 'bob', 'WRITE', fileT('src/a.ts'));
    mesh.settle();
    expect(granted(mesh, 'bob')).toEqual([held]);
    const refused = ask(mesh, 'alice', 'WRITE', fileT('src/a.ts'));
    mesh.settle();
    // bob's `busy` came back on the unchanged session: alice is refused, naming bob's holder
    expect(granted(mesh, 'alice')).toEqual([]);
    expect(mesh.log('alice').refusals.map((r) => r.requestId)).toEqual([refused]);
    // alice closes nothing, bob closes `proj`: alice's next round no longer waits for bob
    mesh.get('alice').machineKeys('bob', []);
    const alone = ask(mesh, 'alice', 'WRITE', fileT('src/b.ts'));
    mesh.settle();
    expect(granted(mesh, 'alice')).toEqual([alone]);
  });
});
