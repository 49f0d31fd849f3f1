// The Reminders panel's form: a message DevMesh sends later, as the human (`user`), to an agent, the human, a
// role or everyone; when: `in 10m`, an ISO time, or a cron expression with an optional IANA time zone. The
// daemon parses the time and says what is wrong with it; that message is shown as it is.
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../shell/app-context.js';
import { addressSuggestions } from '../messages/message-addresses.js';
import type { RemindersSync } from './reminders-sync.js';

export function ReminderCreateForm({ sync, onDone }: { sync: RemindersSync; onDone(): void }) {
  const { stores } = useApp();
  const agentsById = useStore(stores.agents, (s) => s.byId);
  const peers = useStore(stores.mesh, (s) => s.peers);
  const suggestions = useMemo(
    () => [
      { value: 'user', label: 'you, the human at this machine' },
      ...addressSuggestions({ agents: Object.values(agentsById), peers, messages: [] }),
    ],
    [agentsById, peers],
  );
  const listId = useId();
  const [to, setTo] = useState('user');
  const [when, setWhen] = useState('in 10m');
  const [timezone, setTimezone] = useState('');
  const [body, setBody] = useState('');
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const ready = to.trim() !== '' && when.trim() !== '' && body.trim() !== '';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || !ready) return;
    setBusy(true);
    setRefusal(null);
    const result = await sync.create({
      to: to.trim(),
      when: when.trim(),
      body: body.trim(),
      ...(timezone.trim() !== '' ? { timezone: timezone.trim() } : {}),
    });
    setBusy(false);
    if (result.ok) onDone();
    else setRefusal(result.message);
  };

  return (
    <form
      className="coord-form reminder-create"
      aria-label="New reminder"
      data-testid="reminder-create-form"
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => e.key === 'Escape' && onDone()}
    >
      <div className="coord-inline-form">
        <input
          ref={first}
          className="coord-input"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          list={listId}
          placeholder="user, an agent, @role, *"
          aria-label="Remind"
          data-testid="reminder-to"
        />
        <datalist id={listId}>
          {suggestions.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </datalist>
        <input
          className="coord-input"
          value={when}
          onChange={(e) => setWhen(e.target.value)}
          placeholder="in 10m, 2026-12-07T15:30, 0 9 * * 1-5"
          aria-label="When"
          title="in 10m, in 2h30m; an ISO time (2026-12-07T15:30); or a cron expression (0 9 * * 1-5)"
          data-testid="reminder-when"
        />
        <input
          className="coord-input"
          value={timezone}
          onChange={(e) => setTimezone(e.target.value)}
          placeholder="time zone (cron)"
          aria-label="Time zone"
          title="for a cron expression: the IANA zone its times are in (Europe/Paris); empty: the daemon's"
          data-testid="reminder-timezone"
        />
      </div>
      <textarea
        className="coord-input"
        rows={2}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        placeholder="What to say then"
        aria-label="Reminder message"
        data-testid="reminder-body"
      />
      {refusal !== null && (
        <div className="coord-refusal" role="alert" data-testid="reminder-refusal">
          {refusal}
        </div>
      )}
      <div className="coord-actions">
        <button type="button" className="btn" onClick={onDone}>
          Close
        </button>
        <button type="submit" className="btn btn-start" disabled={busy || !ready} data-testid="reminder-create">
          {busy ? 'Scheduling…' : 'Schedule'}
        </button>
      </div>
    </form>
  );
}
