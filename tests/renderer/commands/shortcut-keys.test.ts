import { describe, expect, it } from 'vitest';
import {
  chordOf,
  parseShortcut,
  SEQUENCE_TIMEOUT_MS,
  shortcutKeys,
  shortcutLabel,
  ShortcutMatcher,
} from '../../../renderer/commands/shortcut-keys.js';

const press = (key: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {}) =>
  chordOf({ key, ctrlKey: !!mods.ctrl, metaKey: !!mods.meta, shiftKey: !!mods.shift, altKey: !!mods.alt })!;

describe('shortcut keys', () => {
  it('reads chords and sequences as written', () => {
    expect(parseShortcut('Mod+K')).toEqual([{ key: 'k', mod: true, shift: false, alt: false }]);
    expect(parseShortcut('G S')).toEqual([
      { key: 'g', mod: false, shift: false, alt: false },
      { key: 's', mod: false, shift: false, alt: false },
    ]);
    expect(() => parseShortcut('Mod+')).toThrow(/empty key/);
  });

  it('draws Ctrl on Linux and Windows, ⌘ on a Mac, and says sequences with "then"', () => {
    expect(shortcutKeys('Mod+K', false)).toEqual([['Ctrl', 'K']]);
    expect(shortcutKeys('Mod+K', true)).toEqual([['⌘', 'K']]);
    expect(shortcutKeys('G S', false)).toEqual([['G'], ['S']]);
    expect(shortcutLabel('G S', false)).toBe('G then S');
    expect(shortcutLabel('Shift+T', false)).toBe('Shift+T');
  });

  it('ignores a press of a modifier alone, and takes Ctrl or ⌘ as Mod', () => {
    expect(chordOf({ key: 'Control', ctrlKey: true, metaKey: false, shiftKey: false, altKey: false })).toBeNull();
    expect(press('K', { meta: true })).toEqual({ key: 'k', mod: true, shift: false, alt: false });
    expect(press('k', { ctrl: true })).toEqual({ key: 'k', mod: true, shift: false, alt: false });
  });

  it('matches a chord at once and a sequence key by key', () => {
    const m = new ShortcutMatcher([
      { shortcut: 'Mod+K', value: 'palette' },
      { shortcut: 'G S', value: 'services' },
      { shortcut: 'G T', value: 'terminals' },
      { shortcut: 'Shift+T', value: 'theme' },
    ]);
    expect(m.feed(press('k', { ctrl: true }), 0)).toEqual({ value: 'palette', pending: false });
    expect(m.feed(press('g'), 10)).toEqual({ value: null, pending: true });
    expect(m.feed(press('t'), 20)).toEqual({ value: 'terminals', pending: false });
    // T alone is not Shift+T, nor a sequence: nothing
    expect(m.feed(press('t'), 30)).toEqual({ value: null, pending: false });
    expect(m.feed(press('T', { shift: true }), 40)).toEqual({ value: 'theme', pending: false });
  });

  it('starts over from a key that continues no sequence, and forgets a sequence left too long', () => {
    const m = new ShortcutMatcher([{ shortcut: 'G S', value: 'services' }]);
    m.feed(press('g'), 0);
    // G X is nothing; X starts nothing; then G S completes
    expect(m.feed(press('x'), 10).value).toBeNull();
    expect(m.feed(press('s'), 20).value).toBeNull();
    m.feed(press('g'), 30);
    // G G: the second G begins the sequence anew
    expect(m.feed(press('g'), 40)).toEqual({ value: null, pending: true });
    expect(m.feed(press('s'), 50).value).toBe('services');
    m.feed(press('g'), 100);
    expect(m.feed(press('s'), 100 + SEQUENCE_TIMEOUT_MS + 1).value).toBeNull();
  });
});
