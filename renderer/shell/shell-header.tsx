// The strip across the top: DevMesh, the open project, the command palette's button (with its shortcut),
// the theme switch, the daemon's problems and the connection dot.
import { useMemo } from 'react';
import { useStore } from 'zustand';
import { HealthPill } from '../health/health-problems.js';
import { isMac, ShortcutKeys } from '../commands/shortcut-view.js';
import type { ThemePreference } from '../state/theme-store.js';
import { useApp } from './app-context.js';
import { ProjectPicker } from './project-picker.js';

const THEME_TEXT: Record<ThemePreference, { now: string; next: string }> = {
  system: { now: 'Theme: system', next: 'light' },
  light: { now: 'Theme: light', next: 'dark' },
  dark: { now: 'Theme: dark', next: 'the system’s' },
};

export function ThemeToggle() {
  const { stores } = useApp();
  const preference = useStore(stores.theme, (s) => s.preference);
  const text = THEME_TEXT[preference];
  return (
    <button
      type="button"
      className="header-button"
      data-testid="theme-toggle"
      data-preference={preference}
      title={`${text.now}. Click for ${text.next} (Shift+T).`}
      onClick={() => stores.theme.getState().cycle()}
    >
      <span aria-hidden="true">{preference === 'dark' ? '☾' : preference === 'light' ? '☀' : '◐'}</span> {text.now}
    </button>
  );
}

export function ShellHeader({ healthOpen, onToggleHealth }: { healthOpen: boolean; onToggleHealth(): void }) {
  const { stores } = useApp();
  const state = useStore(stores.connection, (s) => s.status.state);
  const mac = useMemo(() => isMac(), []);
  return (
    <div className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        DevMesh
      </div>
      <ProjectPicker />
      <button
        type="button"
        className="palette-button"
        data-testid="palette-open"
        aria-haspopup="dialog"
        aria-keyshortcuts={mac ? 'Meta+K' : 'Control+K'}
        onClick={() => stores.commands.getState().setPaletteOpen(true)}
      >
        <span>Search commands…</span>
        <ShortcutKeys shortcut="Mod+K" mac={mac} />
      </button>
      <div className="spacer" />
      <ThemeToggle />
      <HealthPill open={healthOpen} onToggle={onToggleHealth} />
      <span
        className={`conn-dot conn-${state}`}
        role="img"
        aria-label={`daemon connection: ${state}`}
        title={`daemon connection: ${state}`}
      />
    </div>
  );
}
