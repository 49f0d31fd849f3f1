// A lock holder, a task's actor or a message's party as a person reads it: the agent's name when the id is
// a known agent's (the id in the tooltip), `you` for the human, else the text as given.
import { useStore } from 'zustand';
import { useApp } from '../shell/app-context.js';

export function HolderName({ id, testId }: { id: string; testId?: string }) {
  const { stores } = useApp();
  const name = useStore(stores.agents, (s) => s.byId[id]?.name ?? null);
  const text = id === 'user' ? 'you' : id === '*' ? 'everyone' : (name ?? id);
  return (
    <span className={id === 'user' ? 'holder holder-user' : 'holder'} title={id} data-testid={testId}>
      {text}
    </span>
  );
}
