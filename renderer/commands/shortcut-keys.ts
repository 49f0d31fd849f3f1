// Keyboard shortcuts as users read them: "Mod+K" (Ctrl+K, or ⌘K on a Mac) or "G S" (G, then S within a
// moment, as GitHub and Gmail do: single letters that no browser or OS has taken). Parsing, display and the
// matching of key presses against a set of shortcuts; the window's listener lives in global-shortcuts.ts.

/** one key press with its modifiers; `key` lower-cased ("k", "enter", "/") */
export interface KeyChord {
  key: string;
  /** Ctrl, or ⌘ on a Mac (either is accepted) */
  mod: boolean;
  shift: boolean;
  alt: boolean;
}

/** what a keydown event carries that matters here */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

const MODIFIER_KEYS = new Set(['control', 'meta', 'shift', 'alt', 'altgraph', 'capslock', 'os']);

/** "Mod+Shift+K" → one chord; "G S" → G then S. Throws on an empty part: shortcuts are written in code. */
export function parseShortcut(text: string): KeyChord[] {
  return text
    .trim()
    .split(/\s+/)
    .map((part) => {
      const pieces = part.split('+').map((p) => p.toLowerCase());
      const key = pieces.pop();
      if (!key) throw new Error(`shortcut "${text}" has an empty key`);
      return { key, mod: pieces.includes('mod'), shift: pieces.includes('shift'), alt: pieces.includes('alt') };
    });
}

/** The chord a keydown makes, or null for a press of a modifier alone. */
export function chordOf(e: KeyPress): KeyChord | null {
  const key = e.key.toLowerCase();
  if (key === '' || MODIFIER_KEYS.has(key)) return null;
  return { key, mod: e.ctrlKey || e.metaKey, shift: e.shiftKey, alt: e.altKey };
}

const sameChord = (a: KeyChord, b: KeyChord): boolean =>
  a.key === b.key && a.mod === b.mod && a.alt === b.alt && a.shift === b.shift;

const startsWith = (whole: readonly KeyChord[], start: readonly KeyChord[]): boolean =>
  start.length <= whole.length && start.every((c, i) => sameChord(c, whole[i]!));

/** The key caps to draw, one list per chord: [["Ctrl", "K"]], or [["G"], ["S"]] for G then S. */
export function shortcutKeys(text: string, mac: boolean): string[][] {
  return parseShortcut(text).map((chord) => {
    const keys: string[] = [];
    if (chord.mod) keys.push(mac ? '⌘' : 'Ctrl');
    if (chord.alt) keys.push(mac ? '⌥' : 'Alt');
    if (chord.shift) keys.push(mac ? '⇧' : 'Shift');
    keys.push(chord.key.length === 1 ? chord.key.toUpperCase() : chord.key[0]!.toUpperCase() + chord.key.slice(1));
    return keys;
  });
}

/** How a screen reader and a title say it: "Ctrl+K", "G then S". */
export function shortcutLabel(text: string, mac: boolean): string {
  return shortcutKeys(text, mac)
    .map((keys) => keys.join('+'))
    .join(' then ');
}

/** the time allowed between the keys of a sequence */
export const SEQUENCE_TIMEOUT_MS = 1500;

/**
 * Matches key presses against shortcuts, sequences included: after G the matcher waits (pending) for the
 * next key; a key that continues no sequence starts over from itself.
 */
export class ShortcutMatcher<T> {
  private readonly entries: { chords: KeyChord[]; value: T }[];
  private pending: KeyChord[] = [];
  private lastAt = 0;

  constructor(shortcuts: readonly { shortcut: string; value: T }[]) {
    this.entries = shortcuts.map((s) => ({ chords: parseShortcut(s.shortcut), value: s.value }));
  }

  /** The value whose shortcut this press completes; `pending` when it began or continued a sequence. */
  feed(chord: KeyChord, at: number): { value: T | null; pending: boolean } {
    if (at - this.lastAt > SEQUENCE_TIMEOUT_MS) this.pending = [];
    this.lastAt = at;
    for (const candidate of this.pending.length > 0 ? [[...this.pending, chord], [chord]] : [[chord]]) {
      const done = this.entries.find((e) => e.chords.length === candidate.length && startsWith(e.chords, candidate));
      if (done) {
        this.pending = [];
        return { value: done.value, pending: false };
      }
      if (this.entries.some((e) => startsWith(e.chords, candidate))) {
        this.pending = candidate;
        return { value: null, pending: true };
      }
    }
    this.pending = [];
    return { value: null, pending: false };
  }

  reset(): void {
    this.pending = [];
  }
}
