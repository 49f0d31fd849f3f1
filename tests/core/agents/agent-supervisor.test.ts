// AgentSupervisor with a real AgentManager, real child processes (fake agent CLIs), a real SQLite file and a
// fake clock for the backoff: a crashing agent is relaunched after its delay and its prompt typed again; a
// clean exit, a stop and an opted-out agent are not relaunched; the crash-loop limit stops it and says so.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentManager } from '../../../main/core/agents/agent-manager.js';
import { AgentProfiles } from '../../../main/core/agents/agent-profiles.js';
import { AgentStore } from '../../../main/core/agents/agent-store.js';
import { AgentSupervisor, crashOf } from '../../../main/core/agents/agent-supervisor.js';
import { ResourceBudget } from '../../../main/core/agents/resource-budget.js';
import { WorktreeManager } from '../../../main/core/agents/worktree-manager.js';
import { Database } from '../../../main/core/store/database.js';
import type { AgentStatusEvent, AgentSupervisedEvent } from '../../../shared/agent.js';
import { scaled } from '../../helpers/load-scale.js';
import { until } from '../../helpers/until.js';
import { FakeLockClock } from '../locks/fake-lock-clock.js';
import { ChildProcessLauncher, writeScript } from './fake-cli.js';

let dir: string;
let bin: string;
let database: Database;
let launcher: ChildProcessLauncher;
let manager: AgentManager;
let supervisor: AgentSupervisor;
let clock: FakeLockClock;
let statuses: AgentStatusEvent[];
let supervised: AgentSupervisedEvent[];
let opened = false;

function open(
  policy: ConstructorParameters<typeof AgentSupervisor>[0]['policy'] = {},
  fakeClock: FakeLockClock = new FakeLockClock(),
): void {
  opened = true;
  database = Database.open(join(dir, 'devmesh.db'));
  launcher = new ChildProcessLauncher(bin);
  manager = new AgentManager({
    store: new AgentStore(database),
    launcher,
    profiles: new AgentProfiles(),
    worktrees: new WorktreeManager(),
    budget: new ResourceBudget({ ramGb: 16, gpus: 1 }),
    tickMs: 50,
    quietMs: 300,
  });
  clock = fakeClock;
  // jitter pinned at none (0.5 → ×1.0), so the delays are the policy's own: 1 s, 2 s, 4 s…
  supervisor = new AgentSupervisor({
    agents: manager,
    clock,
    emit: (e) => supervised.push(e),
    policy,
    random: () => 0.5,
  });
  manager.supervise(supervisor);
  statuses = [];
  supervised = [];
  manager.onDidChangeStatus((e) => statuses.push(e));
}

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'devmesh-superv-')));
  bin = join(dir, 'bin');
  // takes its task at its prompt, says so, then crashes the first time it runs (a counter file), and later
  // runs wait for more input like a healthy agent
  writeScript(
    bin,
    'flaky',
    [
      `runs=$(cat "${dir}/runs" 2>/dev/null || echo 0); runs=$((runs+1)); echo $runs > "${dir}/runs"`,
      'echo "run $runs ready>"',
      'read task',
      'echo "run $runs got: $task"',
      '[ "$runs" -lt 2 ] && exit 3',
      'read more',
    ].join('\n'),
  );
  writeScript(bin, 'crashy', 'echo "crashing"; exit 1');
  writeScript(bin, 'done', 'echo "all done"; exit 0');
  writeScript(bin, 'waits', 'echo "waiting>"; read x; exit 0');
});

afterEach(async () => {
  if (opened) {
    opened = false;
    supervisor.dispose();
    for (const a of manager.list()) if (a.status !== 'exited') await manager.stop(a.id, { graceMs: 500 });
    manager.dispose();
    database.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

const outputOf = (n: number): string => [...launcher.sessions.values()][n]?.output ?? '';

describe('AgentSupervisor', () => {
  it('relaunches a crashed agent after its backoff delay and types its task again', async () => {
    open();
    const started = await manager.start({ command: join(bin, 'flaky'), cwd: dir, prompt: 'fix the tests' });
    await until(
      'the first relaunch scheduled',
      () => supervised.some((e) => e.action === 'relaunching'),
      scaled(10_000),
    );
    expect(supervised[0]).toMatchObject({ agentId: started.id, attempt: 1, limit: 5, delayMs: 1000 });
    expect(supervised[0]!.reason).toBe('exited with code 3; relaunching in 1.0 s (attempt 1 of 5)');
    expect(outputOf(0)).toContain('run 1 got: fix the tests');
    // it is not exited while it waits: its tasks stay assigned, its budget held
    const waiting = manager.get(started.id);
    expect(waiting.status).toBe('starting');
    expect(waiting.exitCode).toBe(3);
    expect(statuses.some((e) => e.to === 'exited')).toBe(false);

    clock.advance(999);
    expect(launcher.created).toHaveLength(1); // not before its delay
    clock.advance(1);
    await until(
      'the second run typed its task',
      () => outputOf(1).includes('run 2 got: fix the tests'),
      scaled(15_000),
    );
    expect(launcher.created).toHaveLength(2);
    expect(launcher.created[1]!.cwd).toBe(dir);
    await until('the relaunched event', () => supervised.some((e) => e.action === 'relaunched'), scaled(5_000));
    const back = manager.get(started.id);
    expect(back.status).not.toBe('exited');
    expect(back.terminalId).not.toBe(started.terminalId);
    expect(
      statuses.find((e) => e.from === 'starting' && e.reason?.startsWith('relaunched after it exited with code 3')),
    ).toBeTruthy();
  });

  it('keeps a relaunched agent running, never given up, when what follows the relaunch throws', async () => {
    // the relaunch itself succeeds; scheduling its backoff reset (10 minutes) then throws
    class ResetThrows extends FakeLockClock {
      override schedule(fn: () => void, ms: number) {
        if (ms === 10 * 60_000) throw new Error('no timers left');
        return super.schedule(fn, ms);
      }
    }
    open({}, new ResetThrows());
    const started = await manager.start({ command: join(bin, 'flaky'), cwd: dir, prompt: 'fix the tests' });
    await until('the relaunch scheduled', () => supervised.some((e) => e.action === 'relaunching'), scaled(10_000));
    clock.advance(1000);
    await until('the second run typed its task', () => outputOf(1).includes('run 2 got:'), scaled(15_000));
    await until('the relaunch’s outcome', () => supervised.length >= 2, scaled(5_000));
    expect(supervised.map((e) => e.action)).toEqual(['relaunching', 'relaunched']);
    expect(manager.get(started.id).status).not.toBe('exited');
    expect(statuses.some((e) => e.to === 'exited')).toBe(false);
    expect(supervisor.pending(started.id)).toBe(false);
  });

  it('does not relaunch a clean exit, a stopped agent, or an agent started with supervise: false', async () => {
    open();
    const clean = await manager.start({ command: join(bin, 'done'), cwd: dir });
    await until('the clean agent exited', () => manager.get(clean.id).status === 'exited', scaled(10_000));
    expect(manager.get(clean.id).exitCode).toBe(0);

    const stopped = await manager.start({ command: join(bin, 'waits'), cwd: dir });
    await until(
      'the waiting agent at its prompt',
      () => (launcher.sessions.get(stopped.terminalId!)?.output ?? '').includes('waiting>'),
      scaled(10_000),
    );
    const after = await manager.stop(stopped.id, { graceMs: 2000 });
    expect(after.status).toBe('exited'); // ended by the SIGTERM DevMesh sent: asked for, not a crash

    const optedOut = await manager.start({ command: join(bin, 'crashy'), cwd: dir, supervise: false });
    await until('the opted-out agent exited', () => manager.get(optedOut.id).status === 'exited', scaled(10_000));
    expect(manager.get(optedOut.id)).toMatchObject({ exitCode: 1, supervise: false });

    expect(supervised).toEqual([]);
    expect(clock.timers).toBe(0);
    expect(launcher.created).toHaveLength(3);
  });

  it('stops relaunching at the crash-loop limit and says so in the status and an event', async () => {
    open({ maxRestarts: 2 });
    const agent = await manager.start({ command: join(bin, 'crashy'), cwd: dir });
    for (const delay of [1000, 2000]) {
      await until(
        'the relaunches scheduled',
        () => supervised.filter((e) => e.action === 'relaunching').length === delay / 1000,
        scaled(10_000),
      );
      expect(supervised.at(-1)!.delayMs).toBe(delay);
      clock.advance(delay);
    }
    await until('the give-up', () => supervised.some((e) => e.action === 'gave-up'), scaled(10_000));
    const gaveUp = supervised.find((e) => e.action === 'gave-up')!;
    expect(gaveUp.reason).toBe(
      'exited with code 1; crashed 3 times in a row, not relaunching (limit: 2 relaunches): look at its terminal, then relaunch it',
    );
    const record = manager.get(agent.id);
    expect(record.status).toBe('exited');
    expect(record.statusReason).toBe(gaveUp.reason);
    expect(statuses.at(-1)).toMatchObject({ to: 'exited', reason: gaveUp.reason });
    expect(launcher.created).toHaveLength(3);
    expect(clock.timers).toBe(0);
  });

  it('cancels a pending relaunch when the agent is stopped while it waits', async () => {
    open();
    const agent = await manager.start({ command: join(bin, 'crashy'), cwd: dir });
    await until('the relaunch scheduled', () => supervised.some((e) => e.action === 'relaunching'), scaled(10_000));
    const stopped = await manager.stop(agent.id);
    expect(stopped).toMatchObject({
      status: 'exited',
      statusReason: 'stopped by request while it waited to be relaunched',
    });
    clock.advance(60_000);
    expect(launcher.created).toHaveLength(1);
  });

  it('counts a non-zero code or an unasked signal as a crash, not a clean exit or a closed terminal', () => {
    expect(crashOf({ exitCode: 0, signal: null })).toBeNull();
    expect(crashOf({ exitCode: 2, signal: null })).toBe('exited with code 2');
    expect(crashOf({ exitCode: null, signal: 'SIGSEGV' })).toBe('killed by SIGSEGV');
    expect(crashOf({ exitCode: null, signal: 'SIGHUP' })).toBeNull();
  });
});
