// The command palette (Ctrl/⌘+K): every registered command, found by fuzzy match as you type (see
// command-match.ts), with its shortcut beside it. cmdk draws the combobox and its list (arrow keys, Enter,
// the ARIA wiring); Escape closes it and gives the focus back to what had it.
import { Command as Cmdk } from 'cmdk';
import { useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useDrawer } from '../common/use-drawer.js';
import { useApp } from '../shell/app-context.js';
import { listCommands, type Command } from './commands-store.js';
import { matchCommands } from './command-match.js';
import { runCommand } from './run-command.js';
import { isMac, ShortcutKeys } from './shortcut-view.js';

export function CommandPalette() {
  const { stores } = useApp();
  const open = useStore(stores.commands, (s) => s.paletteOpen);
  return open ? <PaletteDialog /> : null;
}

/** What the commands are made from: a change redraws the list while the palette is open. */
function useCommandInputs(): void {
  const { stores } = useApp();
  useStore(stores.services, (s) => s.byName);
  useStore(stores.agents, (s) => s.byId);
  useStore(stores.terminals, (s) => s.byId);
  useStore(stores.terminals, (s) => s.split);
  useStore(stores.databases, (s) => s.services);
  useStore(stores.view, (s) => s.view);
  useStore(stores.theme, (s) => s.preference);
  useStore(stores.sidebar, (s) => s.collapsed);
}

function PaletteDialog() {
  const { stores } = useApp();
  const sources = useStore(stores.commands, (s) => s.sources);
  useCommandInputs();
  const [query, setQuery] = useState('');
  const commands = listCommands(sources).commands;
  const found = matchCommands(commands, query);
  const [selected, setSelected] = useState(found[0]?.id ?? '');
  const box = useRef<HTMLDivElement>(null);
  const close = () => stores.commands.getState().setPaletteOpen(false);
  // read while rendering, before the input takes the focus: what had it gets it back on close
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  useDrawer(close, { ref: box, returnFocus: () => (opener?.isConnected ? opener : null) });
  const mac = useMemo(() => isMac(), []);

  const onQuery = (q: string) => {
    setQuery(q);
    setSelected(matchCommands(commands, q)[0]?.id ?? '');
  };
  const choose = (command: Command) => {
    close();
    runCommand(command, stores.toasts);
  };
  // No query: the commands under their headings, in the registry's order. A query: one list, best first.
  const groups =
    query.trim() === ''
      ? [...new Set(found.map((c) => c.group))].map((g) => ({ heading: g, items: found.filter((c) => c.group === g) }))
      : [{ heading: 'Best matches', items: found }];

  return (
    <div className="palette-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div
        ref={box}
        className="palette"
        role="dialog"
        aria-modal="true"
        aria-label="Command palette"
        data-testid="command-palette"
        tabIndex={-1}
      >
        <Cmdk label="Commands" shouldFilter={false} loop value={selected} onValueChange={setSelected}>
          <Cmdk.Input
            autoFocus
            className="palette-input"
            placeholder="Type a command, a view or a service…"
            value={query}
            onValueChange={onQuery}
            data-testid="palette-input"
          />
          <Cmdk.List className="palette-list" label="Commands found">
            <Cmdk.Empty className="palette-empty">No command matches “{query.trim()}”.</Cmdk.Empty>
            {groups.map(({ heading, items }) => (
              <Cmdk.Group key={heading} heading={heading} className="palette-group">
                {items.map((c) => (
                  <Cmdk.Item
                    key={c.id}
                    value={c.id}
                    className="palette-item"
                    data-testid={`palette-item-${c.id}`}
                    onSelect={() => choose(c)}
                  >
                    <span className="palette-title">{c.title}</span>
                    {query.trim() !== '' && <span className="palette-group-name">{c.group}</span>}
                    {c.shortcut !== undefined && <ShortcutKeys shortcut={c.shortcut} mac={mac} />}
                  </Cmdk.Item>
                ))}
              </Cmdk.Group>
            ))}
          </Cmdk.List>
        </Cmdk>
      </div>
    </div>
  );
}
