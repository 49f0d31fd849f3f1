// The window's keyboard shortcuts: every registered command's shortcut, pressed anywhere in the page. Not
// while the user types: a plain key (G, then S) in a text field or a terminal is text, and a terminal keeps
// its Ctrl keys too (Ctrl+K kills a line in bash). Modified keys (Ctrl+K) still work in a text field.
import type { AppStores } from '../state/app-stores.js';
import { listCommands, type Command } from './commands-store.js';
import { runCommand } from './run-command.js';
import { chordOf, ShortcutMatcher } from './shortcut-keys.js';

const TEXT_INPUT_TYPES = new Set([
  'text',
  'search',
  'email',
  'number',
  'password',
  'tel',
  'url',
  'date',
  'datetime-local',
  'month',
  'time',
  'week',
]);

/** Where a key press lands: in a terminal, in a field that takes text, or elsewhere (null). */
export function typingTarget(target: EventTarget | null): 'terminal' | 'text' | null {
  if (!(target instanceof Element)) return null;
  if (target.closest('.xterm')) return 'terminal';
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return 'text';
  if (target instanceof HTMLInputElement) return TEXT_INPUT_TYPES.has(target.type) ? 'text' : null;
  if (target instanceof HTMLElement && target.isContentEditable) return 'text';
  return null;
}

/** Listens on `target` (the window) until the returned function is called. */
export function installGlobalShortcuts(target: Window, stores: Pick<AppStores, 'commands' | 'toasts'>): () => void {
  // Rebuilt when the set of shortcuts changes, so a sequence in progress survives a redraw of the list.
  let matcher = new ShortcutMatcher<string>([]);
  let known = '';
  const current = (): Command[] => {
    const { commands } = listCommands(stores.commands.getState().sources);
    const withKeys = commands.filter((c) => c.shortcut !== undefined);
    const signature = withKeys.map((c) => `${c.id}=${c.shortcut}`).join('\n');
    if (signature !== known) {
      known = signature;
      matcher = new ShortcutMatcher(withKeys.map((c) => ({ shortcut: c.shortcut!, value: c.id })));
    }
    return withKeys;
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.isComposing || e.repeat) return;
    const chord = chordOf(e);
    if (chord === null) return;
    const where = typingTarget(e.target);
    if (where === 'terminal' || (where === 'text' && !chord.mod)) {
      matcher.reset();
      return;
    }
    const commands = current();
    const { value, pending } = matcher.feed(chord, performance.now());
    if (pending) return;
    const command = value === null ? undefined : commands.find((c) => c.id === value);
    if (!command) return;
    e.preventDefault();
    runCommand(command, stores.toasts);
  };
  target.addEventListener('keydown', onKeyDown);
  return () => target.removeEventListener('keydown', onKeyDown);
}
