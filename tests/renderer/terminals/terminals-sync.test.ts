// The terminals store (TerminalInfo only, never bytes) and its sync: the list on connect, terminal.*
// events in between, the panes kept on sessions that exist, and the view's actions.
import { afterEach, describe, expect, it } from 'vitest';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { TerminalInfo } from '../../../shared/terminal.js';
import { createAppStores } from '../../../renderer/state/app-stores.js';
import { createTerminalsStore } from '../../../renderer/terminals/terminals-store.js';
import { TerminalsSync } from '../../../renderer/terminals/terminals-sync.js';
import { FakeClient } from '../fake-client.js';
import { until } from '../../helpers/until.js';
import { expectListFailureShown, terminalInfo } from './terminal-fixtures.js';

const info = (id: string, over: Partial<TerminalInfo> = {}): TerminalInfo => terminalInfo({ id, name: id, ...over });
const exited = (id: string, code = 0) =>
  info(id, { state: 'exited', exitCode: code, exitReason: `exited with code ${code}`, endedAt: 2 });
const event = (type: 'terminal.started' | 'terminal.exited' | 'terminal.changed', i: TerminalInfo) =>
  ({ type, ts: 1, info: i }) as DevMeshEvent;

describe('terminals store', () => {
  it('keeps the panes on existing sessions, never both on the same one', () => {
    const store = createTerminalsStore();
    store.getState().replace([info('a'), info('b'), info('c')]);
    expect(store.getState().panes).toEqual(['a', null]);
    store.getState().setSplit(true);
    expect(store.getState().panes).toEqual(['a', 'b']);
    store.getState().show('c', 1);
    expect(store.getState().panes).toEqual(['a', 'c']);
    expect(store.getState().focus).toBe(1);
    // Showing in the left pane what the right one shows swaps them.
    store.getState().show('c', 0);
    expect(store.getState().panes).toEqual(['c', 'a']);
    store.getState().remove('c');
    expect(store.getState().panes).toEqual(['a', 'b']);
    store.getState().setSplit(false);
    expect(store.getState().panes).toEqual(['a', null]);
    store.getState().show('nope');
    expect(store.getState().panes).toEqual(['a', null]);
  });

  it('never lets an older TerminalInfo replace a newer one', () => {
    const store = createTerminalsStore();
    store.getState().upsert(exited('a'));
    store.getState().upsert(info('a')); // a late "running" after the exit
    expect(store.getState().byId['a']?.state).toBe('exited');
    store.getState().upsert(info('b', { bytesOut: 500 }));
    store.getState().replace([info('a'), info('b', { bytesOut: 100 })]);
    expect(store.getState().byId['a']?.state).toBe('exited');
    expect(store.getState().byId['b']?.bytesOut).toBe(500);
    expect(store.getState().ids).toEqual(['a', 'b']);
  });
});

describe('TerminalsSync', () => {
  const syncs: TerminalsSync[] = [];
  afterEach(() => {
    for (const s of syncs.splice(0)) s.dispose();
  });

  function setup() {
    const client = new FakeClient();
    const stores = createAppStores(client.status);
    let list = [info('t1'), exited('t2', 3)];
    client.handlers['terminals.list'] = () => list;
    const sync = new TerminalsSync(client, stores);
    syncs.push(sync);
    return { client, stores, sync, setList: (l: TerminalInfo[]) => (list = l) };
  }

  it('loads the list on connect and again on every reconnect', async () => {
    const { client, stores, setList } = setup();
    await until('the list', () => stores.terminals.getState().ids.length === 2);
    expect(stores.terminals.getState().panes[0]).toBe('t1');
    setList([info('t1'), info('t3')]);
    client.setStatus('reconnecting');
    client.setStatus('open');
    await until('the new list', () => stores.terminals.getState().ids.join() === 't1,t3');
    expect(client.calls.filter((c) => c.method === 'terminals.list')).toHaveLength(2);
  });

  it('follows terminal.* events and ignores the others', async () => {
    const { client, stores } = setup();
    await until('the list', () => stores.terminals.getState().ids.length === 2);
    client.emit(event('terminal.started', info('t9', { name: 'vim' })));
    client.emit(event('terminal.changed', info('t1', { viewers: 2, paused: true })));
    client.emit(event('terminal.exited', exited('t9', 1)));
    client.emit({ type: 'project.config-error', ts: 1, projectId: 'shop', message: 'x' });
    const s = stores.terminals.getState();
    expect(s.ids).toEqual(['t1', 't2', 't9']);
    expect(s.byId['t1']?.paused).toBe(true);
    expect(s.byId['t9']?.exitCode).toBe(1);
  });

  it('says why the list could not be read', () =>
    expectListFailureShown(
      'terminals.list',
      (client, stores) => new TerminalsSync(client, stores),
      (stores) => stores.terminals,
    ));

  it('opens a shell in the open project and shows it', async () => {
    const { client, stores, sync } = setup();
    await until('the list', () => stores.terminals.getState().ids.length === 2);
    stores.terminals.getState().setSplit(true);
    stores.terminals.getState().setFocus(1);
    client.handlers['terminals.create'] = (input: { project?: string }) =>
      info('t5', { project: input.project ?? null });
    stores.projects.setState({ selectedId: 'shop' });
    const created = await sync.createShell();
    expect(created?.id).toBe('t5');
    expect(client.calls.find((c) => c.method === 'terminals.create')?.input).toEqual({ project: 'shop' });
    expect(stores.terminals.getState().panes).toEqual(['t1', 't5']);
  });

  it('closes a running session by killing it first, then removing it', async () => {
    const { client, stores, sync } = setup();
    await until('the list', () => stores.terminals.getState().ids.length === 2);
    client.handlers['terminals.kill'] = ({ id }: { id: string }) => exited(id, 129);
    client.handlers['terminals.remove'] = ({ id }: { id: string }) => ({ removed: id });
    await sync.close('t1');
    expect(client.calls.map((c) => c.method).filter((m) => m !== 'terminals.list')).toEqual([
      'terminals.kill',
      'terminals.remove',
    ]);
    expect(stores.terminals.getState().ids).toEqual(['t2']);
    await sync.close('t2'); // exited already: removed without a kill
    expect(client.calls.filter((c) => c.method === 'terminals.kill')).toHaveLength(1);
    expect(stores.terminals.getState().panes).toEqual([null, null]);
  });

  it('toasts a failed action with the daemon’s message', async () => {
    const { client, stores, sync } = setup();
    client.handlers['terminals.create'] = () => Promise.reject(new Error('TERMINAL_LIMIT: 20 sessions at most'));
    expect(await sync.createShell()).toBeNull();
    expect(stores.toasts.getState().toasts[0]?.message).toContain('could not open a shell');
  });
});
