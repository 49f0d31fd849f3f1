// The sidebar: the control that collapses it, the views (with their G-shortcuts), then the open project's
// services and the agents, each a coloured dot and a name read at a glance; a click goes to it (the service's
// log, the agent's terminal). Below them whatever other parts add to the sidebar slot. Collapsed (Ctrl/⌘+B,
// remembered), it is a rail as VS Code's activity bar: the views as icons, the services and agents as dots,
// each still named for screen readers and in its title, so nothing is out of reach.
import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { AgentRecord } from '../../shared/agent.js';
import { agentStatusLabel } from '../agents/agent-status-badge.js';
import { shortcutLabel } from '../commands/shortcut-keys.js';
import { isMac } from '../commands/shortcut-view.js';
import { useApp } from './app-context.js';
import { SIDEBAR_SHORTCUT } from './shell-commands.js';
import { SidebarGroup, type SidebarEntry } from './sidebar-group.js';
import { SidebarIcon, ViewIcon } from './view-icons.js';
import { VIEWS } from './views.js';

const SIDEBAR_ID = 'sidebar';

export function Sidebar() {
  const { stores } = useApp();
  const collapsed = useStore(stores.sidebar, (s) => s.collapsed);
  return (
    <aside
      id={SIDEBAR_ID}
      className={collapsed ? 'sidebar sidebar-collapsed' : 'sidebar'}
      aria-label="Sidebar"
      data-testid="sidebar"
      data-collapsed={collapsed}
    >
      <SidebarToggle collapsed={collapsed} />
      <ViewList compact={collapsed} />
      <ServiceList compact={collapsed} />
      <AgentList compact={collapsed} />
      {!collapsed && <SidebarSlot />}
    </aside>
  );
}

function SidebarToggle({ collapsed }: { collapsed: boolean }) {
  const { stores } = useApp();
  const mac = useMemo(() => isMac(), []);
  return (
    <button
      type="button"
      className="sidebar-item sidebar-toggle"
      aria-label="Sidebar"
      aria-expanded={!collapsed}
      aria-controls={SIDEBAR_ID}
      aria-keyshortcuts={mac ? 'Meta+B' : 'Control+B'}
      title={`${collapsed ? 'Expand' : 'Collapse'} the sidebar (${shortcutLabel(SIDEBAR_SHORTCUT, mac)})`}
      data-testid="sidebar-toggle"
      onClick={() => stores.sidebar.getState().toggle()}
    >
      <SidebarIcon expanded={!collapsed} />
    </button>
  );
}

function ViewList({ compact }: { compact: boolean }) {
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
              aria-label={compact ? label : undefined}
              title={`${label} (${shortcutLabel(shortcut, mac)})`}
              data-testid={`nav-${view}`}
              onClick={() => stores.view.getState().show(view)}
            >
              <ViewIcon view={view} />
              {!compact && label}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function ServiceList({ compact }: { compact: boolean }) {
  const { stores } = useApp();
  const names = useStore(stores.services, (s) => s.names);
  const byName = useStore(stores.services, (s) => s.byName);
  const selected = useStore(stores.services, (s) => s.selectedName);
  const onServices = useStore(stores.view, (s) => s.view === 'services');
  const entries = names.map((name): SidebarEntry => {
    const state = byName[name]?.state ?? 'stopped';
    return {
      key: name,
      name,
      state,
      dot: `dot-${state}`,
      title: `${name}: ${state}. Show its log.`,
      testId: `sidebar-service-${name}`,
      current: onServices && name === selected,
      onSelect: () => {
        stores.services.getState().selectService(name);
        stores.view.getState().show('services');
      },
    };
  });
  return <SidebarGroup id="sidebar-services" heading="Services" entries={entries} compact={compact} />;
}

/** the dot's colour: working and done read green, a wait for the user amber, a failure red */
const agentTone = (r: AgentRecord): string =>
  r.status !== 'exited' ? r.status : r.exitCode === 0 || r.exitCode === null ? 'done' : 'failed';

function AgentList({ compact }: { compact: boolean }) {
  const { stores } = useApp();
  const ids = useStore(stores.agents, (s) => s.ids);
  const byId = useStore(stores.agents, (s) => s.byId);
  const openTerminals = useStore(stores.terminals, (s) => s.ids);
  const entries = ids.flatMap((id): SidebarEntry[] => {
    const record = byId[id];
    if (!record) return [];
    const status = agentStatusLabel(record);
    const terminalId =
      record.terminalId !== null && openTerminals.includes(record.terminalId) ? record.terminalId : null;
    return [
      {
        key: id,
        name: record.name,
        state: status,
        dot: `dot-agent-${agentTone(record)}`,
        title: `${record.name}: ${status}${record.statusReason ? ` (${record.statusReason})` : ''}. Show its terminal.`,
        testId: `sidebar-agent-${id}`,
        current: false,
        onSelect: () => {
          if (terminalId !== null) stores.terminals.getState().show(terminalId);
          stores.view.getState().show('terminals');
        },
      },
    ];
  });
  return <SidebarGroup id="sidebar-agents" heading="Agents" entries={entries} compact={compact} />;
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
