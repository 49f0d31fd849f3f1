// The human writes as `user` to anyone on the mesh: a To field with suggestions (everyone, this machine's
// agents, roles, teammates' humans and agents it knows; any address can be typed); Ctrl+Enter (or the
// button) sends.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../shell/app-context.js';
import { useCoordination } from '../command-center/command-center-syncs.js';
import { addressSuggestions } from './message-addresses.js';

export function MessageSendForm() {
  const { stores, agents: agentsSync } = useApp();
  const { messages } = useCoordination();
  // An agent started elsewhere (the CLI) is announced at its first status change, not at its start: list
  // them again so one just started can be picked.
  useEffect(() => void agentsSync.refresh(), [agentsSync]);
  const agentsById = useStore(stores.agents, (s) => s.byId);
  const peers = useStore(stores.mesh, (s) => s.peers);
  const recent = useStore(stores.messages, (s) => s.messages);
  const suggestions = useMemo(
    () => addressSuggestions({ agents: Object.values(agentsById), peers, messages: recent }),
    [agentsById, peers, recent],
  );
  const [to, setTo] = useState('*');
  const [body, setBody] = useState('');
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (e?: FormEvent) => {
    e?.preventDefault();
    if (busy || body.trim() === '' || to.trim() === '') return;
    setBusy(true);
    setRefusal(null);
    const result = await messages.send(to.trim(), body.trim());
    setBusy(false);
    if (result.ok) setBody('');
    else setRefusal(result.message);
  };

  return (
    <form className="coord-form message-send" data-testid="message-send-form" onSubmit={(e) => void send(e)}>
      <div className="coord-inline-form">
        <span className="muted">To</span>
        <input
          className="coord-input"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          list="message-to-suggestions"
          placeholder="*, name, name@machine, @role"
          aria-label="To"
          data-testid="message-to"
        />
        <datalist id="message-to-suggestions" data-testid="message-to-suggestions">
          {suggestions.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </datalist>
      </div>
      <textarea
        className="coord-input"
        rows={2}
        value={body}
        placeholder="Write to the agents…"
        onChange={(e) => setBody(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send();
        }}
        aria-label="Message"
        data-testid="message-body"
      />
      {refusal && (
        <div className="coord-refusal" role="alert">
          {refusal}
        </div>
      )}
      <div className="coord-actions">
        <button
          type="submit"
          className="btn"
          disabled={busy || body.trim() === '' || to.trim() === ''}
          data-testid="message-send"
        >
          Send
        </button>
      </div>
    </form>
  );
}
