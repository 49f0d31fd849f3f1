// A shortcut drawn as key caps ("Ctrl" "K"; "G" then "S"), read out by screen readers as words.
import { Fragment } from 'react';
import { shortcutKeys, shortcutLabel } from './shortcut-keys.js';

export const isMac = (): boolean =>
  typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export function ShortcutKeys({ shortcut, mac }: { shortcut: string; mac: boolean }) {
  return (
    <span className="shortcut">
      <span className="sr-only">shortcut {shortcutLabel(shortcut, mac)}</span>
      {shortcutKeys(shortcut, mac).map((keys, i) => (
        <Fragment key={i}>
          {i > 0 && (
            <span className="shortcut-then" aria-hidden="true">
              then
            </span>
          )}
          {keys.map((key) => (
            <kbd key={key} aria-hidden="true">
              {key}
            </kbd>
          ))}
        </Fragment>
      ))}
    </span>
  );
}
