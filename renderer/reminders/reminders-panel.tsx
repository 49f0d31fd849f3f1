// The command center's reminders: what DevMesh will send, to whom and when (soonest first, live), each with a
// button to cancel it. Reminders are created here (New reminder), from the CLI (`devmesh remind`) and by
// agents (MCP).
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { Reminder } from '../../shared/reminder.js';
import { formatDuration } from '../common/format-time.js';
import { useNow } from '../common/use-now.js';
import { useApp } from '../shell/app-context.js';
import { createRemindersStore } from './reminders-store.js';
import { RemindersSync } from './reminders-sync.js';
import { ReminderCreateForm } from './reminder-create-form.js';

export function RemindersPanel() {
  const { client } = useApp();
  const [store] = useState(createRemindersStore);
  const [sync, setSync] = useState<RemindersSync | null>(null);
  useEffect(() => {
    const s = new RemindersSync(client, store);
    setSync(s);
    return () => s.dispose();
  }, [client, store]);
  const reminders = useStore(store, (s) => s.reminders);
  const loaded = useStore(store, (s) => s.loaded);
  const error = useStore(store, (s) => s.error);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [composing, setComposing] = useState(false);
  const newButton = useRef<HTMLButtonElement>(null);
  const doneComposing = () => {
    setComposing(false);
    setTimeout(() => newButton.current?.focus(), 0); // back to New reminder, which the form replaced
  };
  const cancel = async (r: Reminder) => {
    if (!sync) return;
    const result = await sync.cancel(r.id);
    setRefusal(result.ok ? null : `Could not cancel the reminder: ${result.message}`);
  };
  return (
    <section className="coord-panel reminders-panel" aria-labelledby="reminders-title" data-testid="reminders-panel">
      <header className="coord-panel-head">
        <h2 id="reminders-title">Reminders</h2>
        <span className="spacer" />
        {!composing && (
          <button
            ref={newButton}
            type="button"
            className="btn btn-small"
            disabled={sync === null}
            onClick={() => setComposing(true)}
            data-testid="reminder-new"
          >
            New reminder
          </button>
        )}
      </header>
      {composing && sync && <ReminderCreateForm sync={sync} onDone={doneComposing} />}
      {(refusal ?? error) && (
        <div className="coord-refusal" role="alert">
          {refusal ?? error}
        </div>
      )}
      <ul className="reminder-list" aria-labelledby="reminders-title">
        {loaded && reminders.length === 0 && (
          <li className="empty">
            None scheduled. New reminder, or <code>devmesh remind &lt;to&gt; "in 10m" "&lt;text&gt;"</code>, adds one.
          </li>
        )}
        {reminders.map((r) => (
          <ReminderRow key={r.id} reminder={r} onCancel={() => void cancel(r)} />
        ))}
      </ul>
    </section>
  );
}

function ReminderRow({ reminder: r, onCancel }: { reminder: Reminder; onCancel: () => void }) {
  const now = useNow();
  const to = r.to === '*' ? 'everyone' : r.toName;
  const next = r.nextAt === null ? null : new Date(r.nextAt);
  return (
    <li className="reminder-row" data-testid={`reminder-${r.id}`}>
      <div className="message-head">
        <span className="holder">→ {to}</span>
        {r.schedule.kind === 'cron' && (
          <span className="tag mono" title="repeats on this cron schedule">
            {r.schedule.expression}
          </span>
        )}
        <span className="spacer" />
        {next && (
          <time className="muted" dateTime={next.toISOString()} title={next.toLocaleString()}>
            in {formatDuration(next.getTime() - now)}
          </time>
        )}
      </div>
      <div className="message-body">{r.body}</div>
      {r.lastError && <div className="muted">last one not sent: {r.lastError}</div>}
      <button
        type="button"
        className="btn btn-stop"
        onClick={onCancel}
        aria-label={`Cancel the reminder to ${to}: ${r.body}`}
      >
        Cancel
      </button>
    </li>
  );
}
