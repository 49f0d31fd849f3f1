// Which commands a palette query finds, best first. The score is cmdk's `defaultFilter`, the command-score
// algorithm (Superhuman's, as cmdk ships it): the query's characters must appear in order in the title or a
// keyword; contiguous runs, word starts ("sw" → "Stop web") and an early start score higher, and each skipped
// character or transposition costs a little. On a tie the registry's order holds, so views stay in their order.
import { defaultFilter } from 'cmdk';
import type { Command } from './commands-store.js';

export function matchCommands(commands: readonly Command[], query: string): Command[] {
  const q = query.trim();
  if (q === '') return [...commands];
  return commands
    .map((command, index) => ({
      command,
      index,
      score: defaultFilter(command.title, q, [command.group, ...(command.keywords ?? [])]),
    }))
    .filter((m) => m.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((m) => m.command);
}
