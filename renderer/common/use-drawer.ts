// Drawers, dialogs and side panels that Escape closes. Each open one registers on one stack for the page:
// Escape closes the top one (the last opened) and no other; when it closes, the focus goes back to what
// had it when the drawer opened (the card, the button), or to a named fallback when that is gone. A key
// handler that uses Escape itself (a search box, a terminal) calls preventDefault and keeps it.
import { useEffect, useRef, type RefObject } from 'react';

interface Entry {
  close(): void;
}

const stack: Entry[] = [];

function onKeyDown(e: KeyboardEvent): void {
  if (e.key !== 'Escape' || e.defaultPrevented || e.isComposing) return;
  const top = stack.at(-1);
  if (!top) return;
  e.preventDefault();
  top.close();
}

export interface DrawerOptions {
  /** the drawer's element: focus moves into it when it opens, unless something inside already has it */
  ref?: RefObject<HTMLElement | null>;
  /** where focus goes on close when the element that opened the drawer is gone (it was replaced) */
  returnFocus?: () => HTMLElement | null;
}

/** Registers an open drawer for as long as the calling component is mounted. */
export function useDrawer(close: () => void, options: DrawerOptions = {}): void {
  const latest = useRef({ close, options });
  latest.current = { close, options };
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const entry: Entry = { close: () => latest.current.close() };
    stack.push(entry);
    if (stack.length === 1) document.addEventListener('keydown', onKeyDown);
    const el = latest.current.options.ref?.current;
    if (el && !el.contains(document.activeElement)) el.focus({ preventScroll: true });
    return () => {
      stack.splice(stack.indexOf(entry), 1);
      if (stack.length === 0) document.removeEventListener('keydown', onKeyDown);
      // Only when the focus went with the drawer: a user who clicked elsewhere keeps what they clicked.
      const active = document.activeElement;
      const lost = active === null || active === document.body || (el?.contains(active) ?? false);
      if (!lost) return;
      const target = opener?.isConnected ? opener : latest.current.options.returnFocus?.();
      target?.focus({ preventScroll: true });
    };
  }, []);
}
