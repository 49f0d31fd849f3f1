// The status bar along the window's foot: the daemon connection, the mesh (peers reachable), agents working,
// locks held and the daemon's health, each from its store; a click goes to the view that shows more. Then
// whatever other parts add to the status-bar slot.
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import type { MainView } from '../state/view-store.js';
import { useApp } from './app-context.js';

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function Item({ testId, to, tone, children }: { testId: string; to?: MainView; tone?: string; children: ReactNode }) {
  const { stores } = useApp();
  const className = `status-item${tone ? ` status-${tone}` : ''}`;
  if (to === undefined)
    return (
      <span className={className} data-testid={testId}>
        {children}
      </span>
    );
  return (
    <button type="button" className={className} data-testid={testId} onClick={() => stores.view.getState().show(to)}>
      {children}
    </button>
  );
}

function MeshItem() {
  const { stores } = useApp();
  const info = useStore(stores.mesh, (s) => s.info);
  const error = useStore(stores.mesh, (s) => s.error);
  const peers = useStore(stores.mesh, (s) => s.peers);
  const reachable = peers.filter((p) => p.state === 'connected').length;
  let text: string;
  let tone = 'muted';
  if (error !== null) text = 'Mesh: unavailable';
  else if (info === null) text = 'Mesh: …';
  else if (!info.member) text = 'Mesh: not joined';
  else {
    text = `Mesh: ${reachable}/${plural(peers.length, 'peer', 'peers')}`;
    tone = peers.length > 0 && reachable < peers.length ? 'warn' : 'ok';
  }
  return (
    <Item testId="status-mesh" to="graph" tone={tone}>
      {text}
    </Item>
  );
}

function AgentsItem() {
  const { stores } = useApp();
  const working = useStore(stores.agents, (s) => s.ids.filter((id) => s.byId[id]?.status === 'working').length);
  const waiting = useStore(stores.agents, (s) => s.ids.filter((id) => s.byId[id]?.status === 'waiting').length);
  return (
    <Item testId="status-agents" to="terminals" tone={waiting > 0 ? 'warn' : undefined}>
      {plural(working, 'agent', 'agents')} working{waiting > 0 ? `, ${waiting} waiting for you` : ''}
    </Item>
  );
}

function LocksItem() {
  const { stores } = useApp();
  const held = useStore(stores.locks, (s) => s.spaces.reduce((n, space) => n + space.locks.length, 0));
  return (
    <Item testId="status-locks" to="locks">
      {plural(held, 'lock', 'locks')} held
    </Item>
  );
}

function HealthItem() {
  const { stores } = useApp();
  const problems = useStore(stores.health, (s) => s.problems.length);
  return (
    <Item testId="status-health" tone={problems > 0 ? 'danger' : 'ok'}>
      {problems === 0 ? 'Healthy' : plural(problems, 'health problem', 'health problems')}
    </Item>
  );
}

function ConnectionItem() {
  const { stores } = useApp();
  const state = useStore(stores.connection, (s) => s.status.state);
  const text = state === 'open' ? 'Connected' : state === 'closed' ? 'Disconnected' : 'Reconnecting…';
  return (
    <Item testId="status-connection" tone={state === 'open' ? 'ok' : 'warn'}>
      {text}
    </Item>
  );
}

export function StatusBar() {
  const { stores } = useApp();
  const slot = useStore(stores.slots, (s) => s.statusBar);
  return (
    <footer className="status-bar" aria-label="Status" data-testid="status-bar">
      <ConnectionItem />
      <MeshItem />
      <AgentsItem />
      <LocksItem />
      <HealthItem />
      {slot.map(({ id, Component }) => (
        <span key={id} className="status-item" data-slot={id}>
          <Component />
        </span>
      ))}
    </footer>
  );
}
