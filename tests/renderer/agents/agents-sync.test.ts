// The agents store (AgentRecord only) and its sync: the list on connect, agent.status events in between,
// never an older record over a newer one (updatedAt), a toast when an agent starts waiting for the user,
// and the view's actions (start shows the agent's tab; the daemon's refusal comes back as its message).
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRecord, AgentStatus } from '../../../shared/agent.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { TerminalInfo } from '../../../shared/terminal.js';
import { agentForTerminal, createAgentsStore } from '../../../renderer/agents/agents-store.js';
import { AgentsSync } from '../../../renderer/agents/agents-sync.js';
import { createAppStores } from '../../../renderer/state/app-stores.js';
import { until } from '../../helpers/until.js';
import { FakeClient } from '../fake-client.js';
import { expectListFailureShown, terminalInfo } from '../terminals/terminal-fixtures.js';

const agent = (id: string, over: Partial<AgentRecord> = {}): AgentRecord => ({
  id,
  name: id,
  profile: 'claude',
  role: null,
  cwd: '/repo',
  project: 'shop',
  command: 'claude',
  args: [],
  worktree: null,
  terminalId: `term-${id}`,
  task: 'fix the tests',
  status: 'working',
  statusReason: null,
  exitCode: null,
  createdAt: 1,
  updatedAt: 10,
  resources: { ramGb: 0, gpus: 0 },
  ...over,
});
const statusEvent = (record: AgentRecord, from: AgentStatus, reason: string | null = null) =>
  ({
    type: 'agent.status',
    ts: record.updatedAt,
    agentId: record.id,
    name: record.name,
    from,
    to: record.status,
    reason,
    record,
  }) as const;
const terminal = (id: string): TerminalInfo => terminalInfo({ id, name: id, command: 'claude', cwd: '/repo' });

describe('agents store', () => {
  it('never lets an older record replace a newer one, from an event or from a list', () => {
    const store = createAgentsStore();
    store.getState().upsert(agent('a', { status: 'waiting', updatedAt: 20 }));
    store.getState().upsert(agent('a', { status: 'working', updatedAt: 15 })); // a late answer
    expect(store.getState().byId['a']?.status).toBe('waiting');
    store.getState().replace([agent('a', { status: 'working', updatedAt: 12 }), agent('b')]);
    expect(store.getState().byId['a']?.status).toBe('waiting');
    expect(store.getState().ids).toEqual(['a', 'b']);
    store.getState().upsert(agent('a', { status: 'exited', exitCode: 0, updatedAt: 20 })); // same time: the one received wins
    expect(store.getState().byId['a']?.status).toBe('exited');
    store.getState().remove('a');
    expect(store.getState().ids).toEqual(['b']);
  });

  it('finds the agent running in a terminal', () => {
    const store = createAgentsStore();
    store.getState().replace([agent('a'), agent('b', { terminalId: null })]);
    expect(agentForTerminal(store.getState().byId, 'term-a')?.id).toBe('a');
    expect(agentForTerminal(store.getState().byId, 'term-b')).toBeUndefined();
  });
});

describe('AgentsSync', () => {
  const syncs: AgentsSync[] = [];
  afterEach(() => {
    for (const s of syncs.splice(0)) s.dispose();
  });

  function setup() {
    const client = new FakeClient();
    const stores = createAppStores(client.status);
    let list = [agent('a'), agent('b', { status: 'exited', exitCode: 1 })];
    client.handlers['agents.list'] = () => list;
    const sync = new AgentsSync(client, stores);
    syncs.push(sync);
    return { client, stores, sync, setList: (l: AgentRecord[]) => (list = l) };
  }

  it('loads the list on connect and again on every reconnect', async () => {
    const { client, stores, setList } = setup();
    await until('the list', () => stores.agents.getState().ids.length === 2);
    setList([agent('a', { updatedAt: 30 }), agent('c')]);
    client.setStatus('reconnecting');
    client.setStatus('open');
    await until('the new list', () => stores.agents.getState().ids.join() === 'a,c');
    expect(client.calls.filter((c) => c.method === 'agents.list')).toHaveLength(2);
  });

  it('patches the list from agent.status events, ignoring stale ones', async () => {
    const { client, stores } = setup();
    await until('the list', () => stores.agents.getState().ids.length === 2);
    client.emit(statusEvent(agent('a', { status: 'idle', updatedAt: 20 }), 'working'));
    client.emit(statusEvent(agent('a', { status: 'working', updatedAt: 18 }), 'starting')); // delivered late
    client.emit(statusEvent(agent('z', { status: 'starting', updatedAt: 21 }), 'starting'));
    client.emit({ type: 'project.config-error', ts: 1, projectId: 'shop', message: 'x' });
    const s = stores.agents.getState();
    expect(s.byId['a']?.status).toBe('idle');
    expect(s.ids).toEqual(['a', 'b', 'z']);
    expect(stores.toasts.getState().toasts).toEqual([]);
  });

  it('toasts when an agent starts waiting for the user, once', async () => {
    const { client, stores } = setup();
    await until('the list', () => stores.agents.getState().ids.length === 2);
    client.emit(
      statusEvent(agent('a', { name: 'fixer', status: 'waiting', updatedAt: 20 }), 'working', 'permission prompt'),
    );
    client.emit(
      statusEvent(agent('a', { name: 'fixer', status: 'waiting', updatedAt: 21 }), 'waiting', 'permission prompt'),
    );
    const toasts = stores.toasts.getState().toasts;
    expect(toasts).toHaveLength(1);
    expect(toasts[0]).toMatchObject({ code: 'AGENT_WAITING' });
    expect(toasts[0]?.message).toContain('fixer is waiting for you (permission prompt)');
  });

  it('says why the list could not be read', () =>
    expectListFailureShown(
      'agents.list',
      (client, stores) => new AgentsSync(client, stores),
      (stores) => stores.agents,
    ));

  it('starts an agent and shows its tab, even when the terminal event comes after the answer', async () => {
    const { client, stores, sync } = setup();
    client.handlers['agents.start'] = () => agent('n', { status: 'starting', terminalId: 't-n', updatedAt: 40 });
    stores.terminals.getState().replace([terminal('t-1')]);
    const result = await sync.start({ profile: 'claude', prompt: 'fix it', project: 'shop' });
    expect(result.ok).toBe(true);
    expect(stores.agents.getState().byId['n']?.terminalId).toBe('t-n');
    expect(stores.terminals.getState().panes[0]).toBe('t-1');
    stores.terminals.getState().upsert(terminal('t-n')); // its terminal.started event, as TerminalsSync applies it
    expect(stores.terminals.getState().panes[0]).toBe('t-n');
  });

  it('gives back the daemon’s refusal for the form to show', async () => {
    const { client, sync } = setup();
    client.handlers['agents.start'] = () =>
      Promise.reject(new DevMeshError('BAD_REQUEST', 'agents.budget: 13 GB asked, 4 of 16 GB held'));
    expect(await sync.start({ profile: 'claude', cwd: '/repo', ramGb: 13 })).toEqual({
      ok: false,
      code: 'BAD_REQUEST',
      message: 'agents.budget: 13 GB asked, 4 of 16 GB held',
    });
  });

  it('stops, relaunches (showing the new terminal) and removes', async () => {
    const { client, stores, sync } = setup();
    await until('the list', () => stores.agents.getState().ids.length === 2);
    stores.terminals.getState().replace([terminal('term-a'), terminal('term-b'), terminal('t-b2')]);
    client.handlers['agents.stop'] = () => agent('a', { status: 'exited', exitCode: 129, updatedAt: 50 });
    client.handlers['agents.relaunch'] = () => agent('b', { status: 'starting', terminalId: 't-b2', updatedAt: 50 });
    client.handlers['agents.remove'] = ({ agent: id }: { agent: string }) => ({ removed: id });
    await sync.stop('a');
    expect(stores.agents.getState().byId['a']?.exitCode).toBe(129);
    await sync.relaunch('b');
    expect(stores.agents.getState().byId['b']?.status).toBe('starting');
    expect(stores.terminals.getState().panes[0]).toBe('t-b2');
    await sync.remove('a');
    expect(stores.agents.getState().ids).toEqual(['b']);
    client.handlers['agents.stop'] = () => Promise.reject(new DevMeshError('CONFLICT', 'agent "b" is starting'));
    await sync.stop('b');
    expect(stores.toasts.getState().toasts[0]?.message).toBe('could not stop agent b: agent "b" is starting');
  });
});
