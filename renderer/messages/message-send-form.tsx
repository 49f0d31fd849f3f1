// The human writes as `user` to one agent or to everyone (`*`); Ctrl+Enter (or the button) sends.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../shell/app-context.js';
import { useCoordination } from '../command-center/command-center-syncs.js';

export function MessageSendForm() {
  const { stores, agents: agentsSync } = useApp();
  const { messages } = useCoordination();
  // An agent started elsewhere (the CLI) is announced at its first status change, not at its start: list
  // them again so one just started can be picked.
  useEffect(() => void agentsSync.refresh(), [agentsSync]);
  const agentsById = useStore(stores.agents, (s) => s.byId);
  const agents = useMemo(() => Object.values(agentsById).filter((a) => a.status !== 'exited'), [agentsById]);
  const [to, setTo] = useState('*');
  const [body, setBody] = useState('');
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (e?: FormEvent) => {
    e?.preventDefault();
    if (busy || body.trim() === '') return;
    setBusy(true);
    setRefusal(null);
    const result = await messages.send(to, body.trim());
    setBusy(false);
    if (result.ok) setBody('');
    else setRefusal(result.message);
  };

  return (
    <form className="coord-form message-send" data-testid="message-send-form" onSubmit={(e) => void send(e)}>
      <div className="coord-inline-form">
        <span className="muted">To</span>
        <select
          className="coord-input"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          aria-label="To"
          data-testid="message-to"
        >
          <option value="*">everyone</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
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
        <button type="submit" className="btn" disabled={busy || body.trim() === ''} data-testid="message-send">
          Send
        </button>
      </div>
    </form>
  );
}
