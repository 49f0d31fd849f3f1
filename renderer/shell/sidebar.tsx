// The sidebar: the views (with their G-shortcuts), then the open project's services and the agents, each a
// coloured dot and a name read at a glance; a click goes to it (the service's log, the agent's terminal).
// Below them whatever other parts add to the sidebar slot.
import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { AgentRecord } from '../../shared/agent.js';
import { agentStatusLabel } from '../agents/agent-status-badge.js';
import { shortcutLabel } from '../commands/shortcut-keys.js';
import { isMac } from '../commands/shortcut-view.js';
import { useApp } from './app-context.js';
import { VIEWS } from './views.js';

export function Sidebar() {
  return (
    <aside className="sidebar" aria-label="Sidebar" data-testid="sidebar">
      <ViewList />
      <ServiceList />
      <AgentList />
      <SidebarSlot />
    </aside>
  );
}

function ViewList() {
  const { stores } = useApp();
  const current = useStore(stores.view, (s) => s.view);
  const mac = useMemo(() => isMac(), []);
  return (
    <nav className="sidebar-section" aria-label="Views">
      <ul className="sidebar-list">
        {VIEWS.map(({ view, label, shortcut }) => (
          <li key={view}>
            <button
              type="button"
              className={view === current ? 'sidebar-item active' : 'sidebar-item'}
              aria-current={view === current ? 'page' : undefined}
              title={`${label} (${shortcutLabel(shortcut, mac)})`}
              data-testid={`nav-${view}`}
              onClick={() => stores.view.getState().show(view)}
            >
              {label}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function ServiceList() {
  const { stores } = useApp();
  const names = useStore(stores.services, (s) => s.names);
  const byName = useStore(stores.services, (s) => s.byName);
  const selected = useStore(stores.services, (s) => s.selectedName);
  const onServices = useStore(stores.view, (s) => s.view === 'services');
  if (names.length === 0) return null;
  return (
    <section className="sidebar-section" aria-labelledby="sidebar-services">
      <h2 id="sidebar-services" className="sidebar-heading">
        Services
      </h2>
      <ul className="sidebar-list">
        {names.map((name) => {
          const state = byName[name]?.state ?? 'stopped';
          const current = onServices && name === selected;
          return (
            <li key={name}>
              <button
                type="button"
                className={current ? 'sidebar-item active' : 'sidebar-item'}
                aria-label={`${name}, ${state}`}
                aria-current={current ? 'true' : undefined}
                title={`${name}: ${state}. Show its log.`}
                data-testid={`sidebar-service-${name}`}
                data-state={state}
                onClick={() => {
                  stores.services.getState().selectService(name);
                  stores.view.getState().show('services');
                }}
              >
                <span className={`dot dot-${state}`} aria-hidden="true" />
                <span className="sidebar-name">{name}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** the dot's colour: working and done read green, a wait for the user amber, a failure red */
const agentTone = (r: AgentRecord): string =>
  r.status !== 'exited' ? r.status : r.exitCode === 0 || r.exitCode === null ? 'done' : 'failed';

function AgentList() {
  const { stores } = useApp();
  const ids = useStore(stores.agents, (s) => s.ids);
  const byId = useStore(stores.agents, (s) => s.byId);
  const openTerminals = useStore(stores.terminals, (s) => s.ids);
  if (ids.length === 0) return null;
  return (
    <section className="sidebar-section" aria-labelledby="sidebar-agents">
      <h2 id="sidebar-agents" className="sidebar-heading">
        Agents
      </h2>
      <ul className="sidebar-list">
        {ids.map((id) => {
          const record = byId[id];
          if (!record) return null;
          const status = agentStatusLabel(record);
          const terminalId =
            record.terminalId !== null && openTerminals.includes(record.terminalId) ? record.terminalId : null;
          return (
            <li key={id}>
              <button
                type="button"
                className="sidebar-item"
                aria-label={`${record.name}, ${status}`}
                title={`${record.name}: ${status}${record.statusReason ? ` (${record.statusReason})` : ''}. Show its terminal.`}
                data-testid={`sidebar-agent-${id}`}
                data-status={record.status}
                onClick={() => {
                  if (terminalId !== null) stores.terminals.getState().show(terminalId);
                  stores.view.getState().show('terminals');
                }}
              >
                <span className={`dot dot-agent-${agentTone(record)}`} aria-hidden="true" />
                <span className="sidebar-name">{record.name}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function SidebarSlot() {
  const { stores } = useApp();
  const items = useStore(stores.slots, (s) => s.sidebar);
  return (
    <>
      {items.map(({ id, Component }) => (
        <div key={id} className="sidebar-section" data-slot={id}>
          <Component />
        </div>
      ))}
    </>
  );
}
