// A task award takes its INTENT locks mesh-wide in the same step (two real daemons on loopback: TeamCores, real
// agents in real terminals, the one API): a teammate's conflicting lock refuses the award before the task is
// CLAIMED, naming the holder and its machine (it is never granted and then found in conflict); the award goes
// through once the teammate lets go; from then on the teammate's conflicting request is refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DevMeshApi } from '../../../main/api/devmesh-api.js';
import type { ApiMethod, ApiOutput } from '../../../shared/api.js';
import { writeScript } from '../agents/fake-cli.js';
import { TeamCores, type TeamCore } from '../../helpers/team-cores.js';
import { scaled } from '../../helpers/load-scale.js';
import { until } from '../../helpers/until.js';

let team: TeamCores | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await team?.dispose();
  team = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function api(m: TeamCore) {
  const face = new DevMeshApi(m.core, { face: 'daemon', apiUrl: () => null, requestShutdown: () => undefined });
  return async <M extends ApiMethod>(method: M, input: unknown): Promise<ApiOutput<M>> => {
    const r = await face.call(method, input);
    if (!r.ok) throw new Error(`${m.name}: ${method} failed: ${r.error.code}: ${r.error.message}`);
    return r.value as ApiOutput<M>;
  };
}

const write = (holder: string, waitMs = 0) => ({
  holder,
  mode: 'WRITE' as const,
  target: { kind: 'file' as const, path: 'src/orders.ts' },
  waitMs,
});

describe('a task award across the mesh', () => {
  it("is refused by a teammate's lock before the task is claimed, and goes through once it is let go", async () => {
    team = await TeamCores.open(['alice', 'bob']);
    const alice = team.get('alice');
    const bob = team.get('bob');
    const callA = api(alice);
    const held = await bob.core.coordination.acquireLock('shop', write('ben'));

    const bin = mkdtempSync(join(tmpdir(), 'devmesh-award-bin-'));
    dirs.push(bin);
    const script = writeScript(bin, 'fake-agent', `while true; do printf 'ready> '; read line || exit 0; done`);
    const coder = await callA('agents.start', { command: script, name: 'coder', cwd: alice.root });
    const task = await callA('tasks.create', { title: 'orders', prompt: 'Fix orders.', files: ['src/orders.ts'] });
    expect(task.state).toBe('BIDDING');
    await callA('tasks.bid', { task: task.id, agent: 'coder', capabilities: [] });

    // the only bidder, but bob's ben holds WRITE on the file: the round refuses the award, which never happened
    const waiting = await until('the award refused by the mesh', async () => {
      const t = await callA('tasks.get', { task: task.id });
      return t.stateReason?.includes('ben on bob holds WRITE on src/orders.ts') ? t : null;
    });
    expect(waiting).toMatchObject({ state: 'BIDDING', assigneeId: null });
    expect(waiting.history.map((h) => h.to)).not.toContain('CLAIMED');
    expect((await callA('locks.list', {})).flatMap((s) => s.locks)).toEqual([]);
    const audit = await callA('audit.list', { limit: 500 });
    expect(audit.entries.filter((e) => e.kind === 'task.awarded' || e.kind.startsWith('lock.mesh'))).toEqual([]);

    // ben lets go: bob's presence tells alice, whose waiting award goes through with the locks held mesh-wide
    await bob.core.coordination.releaseLock('shop', 'ben', held.id);
    const claimed = await until(
      'the award once ben let go',
      async () => {
        const t = await callA('tasks.get', { task: task.id });
        return t.state === 'CLAIMED' || t.state === 'WORKING' ? t : null;
      },
      scaled(20_000),
    );
    expect(claimed.assigneeId).toBe(coder.id);
    expect((await callA('locks.list', {})).flatMap((s) => s.locks)).toEqual([
      expect.objectContaining({ holder: coder.id, mode: 'INTENT', target: { kind: 'file', path: 'src/orders.ts' } }),
    ]);
    await expect(bob.core.coordination.acquireLock('shop', write('ben'))).rejects.toThrow(
      /ben cannot take WRITE on src\/orders\.ts: it is locked across the mesh \(coder on alice holds INTENT/,
    );
    const after = await callA('audit.list', { limit: 500 });
    expect(after.entries.filter((e) => e.kind.startsWith('lock.mesh'))).toEqual([]);
  });
});
