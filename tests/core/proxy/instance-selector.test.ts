// Which instance serves a request: health first, then local before peers (or as `prefer` says), the
// caller's range, latency with round robin among equals, and what warn and refuse do on a mismatch.
import { describe, expect, it } from 'vitest';
import {
  InstanceSelector,
  type Instance,
  type Selection,
  type SelectionInput,
} from '../../../main/core/proxy/instance-selector.js';

function instance(agentName: string, version: string, extra: Partial<Instance> = {}): Instance {
  const local = extra.local ?? agentName === 'me';
  const agentId = extra.agentId ?? `id-${agentName}`;
  return {
    key: `${agentId}/shop/auth`,
    agentId,
    agentName,
    local,
    project: 'shop',
    service: 'auth',
    version,
    healthy: true,
    latencyMs: local ? null : 5,
    ...extra,
  };
}

function input(instances: Instance[], extra: Partial<SelectionInput> = {}): SelectionInput {
  return { instances, range: null, onMismatch: 'warn', prefer: 'local', allowPeers: true, ...extra };
}

/** the agent names in the order the selection would try them */
function names(selection: Selection): string[] {
  if (selection.kind === 'route') return [selection.chosen, ...selection.alternates].map((i) => i.agentName);
  if (selection.kind === 'refuse') return selection.candidates.map((i) => i.agentName);
  return [];
}

describe('InstanceSelector', () => {
  it('routes to the healthy local instance first, peers after it by latency', () => {
    const selector = new InstanceSelector();
    const selection = selector.select(
      input([
        instance('bob', '2.1.0', { latencyMs: 30 }),
        instance('me', '2.1.0'),
        instance('alice', '2.1.0', { latencyMs: 3 }),
      ]),
    );
    expect(selection).toMatchObject({ kind: 'route', mismatch: null });
    expect(names(selection)).toEqual(['me', 'alice', 'bob']);
  });

  it('never picks an unhealthy instance, and says none when no instance is healthy', () => {
    const selector = new InstanceSelector();
    const sick = instance('me', '2.1.0', { healthy: false });
    expect(names(selector.select(input([sick, instance('alice', '2.1.0')])))).toEqual(['alice']);
    expect(selector.select(input([sick, instance('alice', '2.1.0', { healthy: false })]))).toEqual({ kind: 'none' });
    expect(selector.select(input([]))).toEqual({ kind: 'none' });
  });

  it('routes to a peer that satisfies the range over a local one that does not', () => {
    const selector = new InstanceSelector();
    const selection = selector.select(
      input(
        [
          instance('me', '1.9.0'),
          instance('alice', '2.3.0', { latencyMs: 40 }),
          instance('bob', '3.0.0', { latencyMs: 1 }),
        ],
        { range: '^2.1' },
      ),
    );
    expect(selection).toMatchObject({ kind: 'route', mismatch: null });
    // alternates are the other satisfying instances only
    expect(names(selection)).toEqual(['alice']);
  });

  it('counts a prerelease as inside the range, and any version as satisfying a null range', () => {
    const selector = new InstanceSelector();
    expect(
      selector.select(input([instance('me', '2.4.0-beta.1')], { range: '^2.1', onMismatch: 'refuse' })),
    ).toMatchObject({
      kind: 'route',
      chosen: { agentName: 'me' },
      mismatch: null,
    });
    expect(selector.select(input([instance('me', '0.0.1')], { range: null, onMismatch: 'refuse' }))).toMatchObject({
      kind: 'route',
      mismatch: null,
    });
  });

  describe('when no healthy instance satisfies the range', () => {
    const instances = () => [
      instance('bob', '1.0.0', { latencyMs: 20 }),
      instance('me', '1.9.0'),
      instance('alice', '1.5.0', { latencyMs: 2 }),
      instance('carol', '2.5.0', { healthy: false }),
    ];

    it('warn routes by the normal order and reports the mismatch', () => {
      const selection = new InstanceSelector().select(input(instances(), { range: '^2.1' }));
      expect(selection).toMatchObject({
        kind: 'route',
        chosen: { agentName: 'me' },
        mismatch: { range: '^2.1', version: '1.9.0' },
      });
      expect(names(selection)).toEqual(['me', 'alice', 'bob']);
    });

    it('refuse lists the healthy candidates that were available', () => {
      const selection = new InstanceSelector().select(input(instances(), { range: '^2.1', onMismatch: 'refuse' }));
      expect(selection).toMatchObject({ kind: 'refuse', range: '^2.1' });
      expect(names(selection)).toEqual(['me', 'alice', 'bob']);
    });

    it('warn reports the version of the instance chosen by prefer', () => {
      const selection = new InstanceSelector().select(input(instances(), { range: '^2.1', prefer: 'bob' }));
      expect(selection).toMatchObject({
        kind: 'route',
        chosen: { agentName: 'bob' },
        mismatch: { range: '^2.1', version: '1.0.0' },
      });
      expect(names(selection)).toEqual(['bob', 'me', 'alice']);
    });
  });

  describe('prefer and allow_peers', () => {
    const instances = () => [
      instance('me', '2.1.0'),
      instance('alice', '2.1.0', { latencyMs: 2 }),
      instance('bob', '2.1.0', { latencyMs: 30 }),
    ];

    it('prefer: peer puts peers before the local instance', () => {
      expect(names(new InstanceSelector().select(input(instances(), { prefer: 'peer' })))).toEqual([
        'alice',
        'bob',
        'me',
      ]);
    });

    it('prefer: peer still falls back to the local instance', () => {
      const selection = new InstanceSelector().select(
        input([instance('me', '2.1.0'), instance('alice', '2.1.0', { healthy: false })], { prefer: 'peer' }),
      );
      expect(names(selection)).toEqual(['me']);
    });

    it('prefer: <name> puts that peer first, then the normal order', () => {
      expect(names(new InstanceSelector().select(input(instances(), { prefer: 'bob' })))).toEqual([
        'bob',
        'me',
        'alice',
      ]);
      // by agent id too, and an unknown name changes nothing
      expect(names(new InstanceSelector().select(input(instances(), { prefer: 'id-bob' })))).toEqual([
        'bob',
        'me',
        'alice',
      ]);
      expect(names(new InstanceSelector().select(input(instances(), { prefer: 'dave' })))).toEqual([
        'me',
        'alice',
        'bob',
      ]);
    });

    it('prefer: <name> does not override the range', () => {
      const selection = new InstanceSelector().select(
        input([instance('me', '2.1.0'), instance('bob', '1.0.0', { latencyMs: 1 })], { prefer: 'bob', range: '^2' }),
      );
      expect(names(selection)).toEqual(['me']);
    });

    it('allow_peers: false uses the local instance only', () => {
      const selector = new InstanceSelector();
      expect(names(selector.select(input(instances(), { allowPeers: false })))).toEqual(['me']);
      const onlyPeers = [instance('me', '2.1.0', { healthy: false }), instance('alice', '2.1.0')];
      expect(selector.select(input(onlyPeers, { allowPeers: false }))).toEqual({ kind: 'none' });
      // a peer satisfying the range does not count either
      expect(
        selector.select(
          input([instance('me', '1.0.0'), instance('alice', '2.1.0')], {
            allowPeers: false,
            range: '^2',
            onMismatch: 'refuse',
          }),
        ),
      ).toMatchObject({
        kind: 'refuse',
        candidates: [{ agentName: 'me' }],
      });
    });
  });

  describe('latency', () => {
    it('sorts peers with no measured latency last', () => {
      const selection = new InstanceSelector().select(
        input([
          instance('alice', '1.0.0', { latencyMs: null }),
          instance('bob', '1.0.0', { latencyMs: 50 }),
          instance('carol', '1.0.0', { latencyMs: 5 }),
        ]),
      );
      expect(names(selection)).toEqual(['carol', 'bob', 'alice']);
    });

    it('takes turns among peers within 20% of the fastest, in even shares', () => {
      const selector = new InstanceSelector();
      const peers = [
        instance('alice', '1.0.0', { latencyMs: 10 }),
        instance('bob', '1.0.0', { latencyMs: 11.9 }),
        instance('carol', '1.0.0', { latencyMs: 12 }),
        instance('dave', '1.0.0', { latencyMs: 12.5 }), // 25% slower: not equal
      ];
      const counts = new Map<string, number>();
      for (let n = 0; n < 300; n++) {
        const selection = selector.select(input(peers));
        if (selection.kind !== 'route') throw new Error('expected a route');
        counts.set(selection.chosen.agentName, (counts.get(selection.chosen.agentName) ?? 0) + 1);
        // the slower peer stays the last resort
        expect(selection.alternates.at(-1)!.agentName).toBe('dave');
      }
      expect(Object.fromEntries(counts)).toEqual({ alice: 100, bob: 100, carol: 100 });
    });

    it('counts peers within 0.5 ms of a very fast one as equal', () => {
      const selector = new InstanceSelector();
      const peers = [
        instance('alice', '1.0.0', { latencyMs: 0.4 }),
        instance('bob', '1.0.0', { latencyMs: 0.8 }),
        instance('carol', '1.0.0', { latencyMs: 1 }),
      ];
      const chosen = Array.from({ length: 4 }, () => names(selector.select(input(peers)))[0]);
      expect(chosen).toEqual(['alice', 'bob', 'alice', 'bob']);
    });

    it('keeps the rotation when latencies jitter within the group, whatever the input order', () => {
      const selector = new InstanceSelector();
      const chosen: string[] = [];
      for (let n = 0; n < 4; n++) {
        const a = instance('alice', '1.0.0', { latencyMs: n % 2 ? 10 : 11 });
        const b = instance('bob', '1.0.0', { latencyMs: n % 2 ? 11 : 10 });
        chosen.push(names(selector.select(input(n % 2 ? [a, b] : [b, a])))[0]!);
      }
      expect(chosen).toEqual(['alice', 'bob', 'alice', 'bob']);
    });

    it('takes turns among peers when none is measured yet', () => {
      const selector = new InstanceSelector();
      const peers = [instance('alice', '1.0.0', { latencyMs: null }), instance('bob', '1.0.0', { latencyMs: null })];
      expect([0, 1, 2].map(() => names(selector.select(input(peers))))).toEqual([
        ['alice', 'bob'],
        ['bob', 'alice'],
        ['alice', 'bob'],
      ]);
    });

    it('rotates only among instances that satisfy the range', () => {
      const selector = new InstanceSelector();
      const peers = [
        instance('alice', '2.0.0', { latencyMs: 10 }),
        instance('bob', '1.0.0', { latencyMs: 10 }),
        instance('carol', '2.0.0', { latencyMs: 10 }),
      ];
      const chosen = Array.from({ length: 4 }, () => names(selector.select(input(peers, { range: '^2' })))[0]);
      expect(chosen).toEqual(['alice', 'carol', 'alice', 'carol']);
    });

    it('keeps the local instance ahead of round robin', () => {
      const selector = new InstanceSelector();
      const all = [
        instance('me', '1.0.0'),
        instance('alice', '1.0.0', { latencyMs: 1 }),
        instance('bob', '1.0.0', { latencyMs: 1 }),
      ];
      expect(names(selector.select(input(all)))).toEqual(['me', 'alice', 'bob']);
      expect(names(selector.select(input(all)))).toEqual(['me', 'bob', 'alice']);
    });
  });

  describe('exclude', () => {
    it('skips instances already tried, down to none', () => {
      const selector = new InstanceSelector();
      const all = [
        instance('me', '2.1.0'),
        instance('alice', '2.1.0', { latencyMs: 2 }),
        instance('bob', '2.1.0', { latencyMs: 30 }),
      ];
      const tried = new Set<string>();
      const order: string[] = [];
      for (;;) {
        const selection = selector.select(input(all, { exclude: tried }));
        if (selection.kind !== 'route') {
          expect(selection).toEqual({ kind: 'none' });
          break;
        }
        order.push(selection.chosen.agentName);
        tried.add(selection.chosen.key);
      }
      expect(order).toEqual(['me', 'alice', 'bob']);
    });

    it('turns a mismatch into refuse when the satisfying instance was already tried', () => {
      const selector = new InstanceSelector();
      const all = [instance('me', '1.0.0'), instance('alice', '2.1.0', { latencyMs: 2 })];
      const first = selector.select(input(all, { range: '^2', onMismatch: 'refuse' }));
      expect(first).toMatchObject({ kind: 'route', chosen: { agentName: 'alice' } });
      const retry = selector.select(
        input(all, { range: '^2', onMismatch: 'refuse', exclude: new Set(['id-alice/shop/auth']) }),
      );
      expect(retry).toMatchObject({ kind: 'refuse', candidates: [{ agentName: 'me' }] });
    });

    it('does not advance the rotation of first attempts', () => {
      const selector = new InstanceSelector();
      const peers = [
        instance('alice', '1.0.0', { latencyMs: 5 }),
        instance('bob', '1.0.0', { latencyMs: 5 }),
        instance('carol', '1.0.0', { latencyMs: 5 }),
      ];
      const first = names(selector.select(input(peers)))[0]!;
      selector.select(input(peers, { exclude: new Set([`id-${first}/shop/auth`]) }));
      selector.select(input(peers, { exclude: new Set([`id-${first}/shop/auth`]) }));
      expect(names(selector.select(input(peers)))[0]).toBe('bob');
      expect(first).toBe('alice');
    });
  });
});
