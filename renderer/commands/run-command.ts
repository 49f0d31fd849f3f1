// Runs a command from the palette or a shortcut; what goes wrong becomes a toast that names the command,
// never an uncaught error in a key handler.
import type { ToastsStore } from '../state/toasts-store.js';
import type { Command } from './commands-store.js';

export function runCommand(command: Command, toasts: ToastsStore): void {
  try {
    const result = command.run();
    if (result instanceof Promise) result.catch((err: unknown) => toasts.getState().push(err, command.title));
  } catch (err) {
    toasts.getState().push(err, command.title);
  }
}
