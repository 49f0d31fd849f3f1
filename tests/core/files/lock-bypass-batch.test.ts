// One batch that crosses many locked files (a formatter or a `git checkout` in an agent's worktree, under a
// holder's glob lock) is told to each side once, naming the files, rather than as one message per file: the
// messages reach agents (typed at their idle prompt) and the human, and hundreds of them bury everything else.
// The alert events and audit entries stay one per file. A unit test of LockBypassDetector with stand-in ports.
import { describe, expect, it } from 'vitest';
import type { AgentRecord } from '../../../shared/agent.js';
import type { AuditAppend } from '../../../shared/audit.js';
import type { LockBypassedEvent } from '../../../shared/files.js';
import type { LockCheckResult, LockInfo } from '../../../shared/lock.js';
import { LockBypassDetector } from '../../../main/core/files/lock-bypass-detector.js';
import { FakeLockClock } from '../locks/fake-lock-clock.js';

const agent = (id: string, name: string, worktree: string | null) =>
  ({ id, name, worktree: worktree ? { path: worktree, branch: name, repo: '/repo' } : null }) as AgentRecord;

function setup() {
  const alice = agent('a-1', 'alice', '/wt/alice');
  const bob = agent('b-1', 'bob', '/wt/bob');
  const lock = {
    id: 'lock-7',
    holder: bob.id,
    mode: 'INTENT',
    target: { kind: 'glob', pattern: 'src/**' },
  } as unknown as LockInfo;
  const messages: Array<{ to: string; body: string }> = [];
  const audit: AuditAppend[] = [];
  const events: LockBypassedEvent[] = [];
  let lookups = 0;
  const detector = new LockBypassDetector({
    locks: {
      check: (_project, _holder, paths): LockCheckResult => ({
        allowed: false,
        root: '/repo',
        message: 'locked',
        paths: paths.map((path) => ({
          path,
          relative: path.slice('/wt/alice/'.length),
          allowed: false,
          blockers: [lock],
        })),
      }),
    },
    agents: {
      find: (id) => {
        lookups++;
        return [alice, bob].find((a) => a.id === id || a.name === id) ?? null;
      },
      list: () => [alice, bob],
    },
    audit: (e) => void audit.push(e),
    message: (to, body) => void messages.push({ to, body }),
    emit: (e) => void events.push(e),
    clock: new FakeLockClock(),
  });
  return { detector, alice, bob, messages, audit, events, lookups: () => lookups };
}

describe('a batch that bypasses many locked files at once', () => {
  it('is told to the writer and to the holder once each, naming the files; alerts stay one per file', () => {
    const { detector, alice, bob, messages, audit, events, lookups } = setup();
    const changes = Array.from({ length: 300 }, (_, n) => ({ path: `src/f${n}.ts`, type: 'update' as const }));
    const raised = detector.inspect({
      root: '/wt/alice',
      projectRoot: '/repo',
      project: 'shop',
      agentId: alice.id,
      changes,
    });
    expect(raised).toHaveLength(300);
    expect(events).toHaveLength(300);
    expect(audit).toHaveLength(300);
    expect(messages.map((m) => m.to).sort()).toEqual([alice.id, bob.id].sort());
    const toAlice = messages.find((m) => m.to === alice.id)!.body;
    expect(toAlice).toMatch(/300 files/);
    expect(toAlice).toMatch(/src\/f0\.ts/);
    expect(toAlice).toMatch(/bob/);
    expect(messages.find((m) => m.to === bob.id)!.body).toMatch(/alice changed .*under your lock/);
    // the agents are looked up per batch, not per file (each lookup is a store read)
    expect(lookups()).toBeLessThan(10);
  });

  it('still tells a single file as before', () => {
    const { detector, alice, messages } = setup();
    detector.inspect({
      root: '/wt/alice',
      projectRoot: '/repo',
      project: 'shop',
      agentId: alice.id,
      changes: [{ path: 'src/a.ts', type: 'update' }],
    });
    expect(messages).toHaveLength(2);
    expect(messages.find((m) => m.to === alice.id)!.body).toMatch(
      /Lock bypassed: src\/a\.ts changed in alice's worktree.*bob/,
    );
  });
});
