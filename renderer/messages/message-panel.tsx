// The command center's messages: what agents say to each other and to the user, newest first, live; the
// box to write back.
import { useStore } from 'zustand';
import { useApp } from '../shell/app-context.js';
import { MessageRow } from './message-row.js';
import { MessageSendForm } from './message-send-form.js';

export function MessagePanel() {
  const { stores } = useApp();
  const messages = useStore(stores.messages, (s) => s.messages);
  const loaded = useStore(stores.messages, (s) => s.loaded);
  const error = useStore(stores.messages, (s) => s.error);
  return (
    <section className="coord-panel message-panel" data-testid="message-panel">
      <header className="coord-panel-head">
        <h2>Messages</h2>
      </header>
      <MessageSendForm />
      {error && (
        <div className="coord-refusal" role="alert">
          {error}
        </div>
      )}
      <ul className="message-list" data-testid="message-list">
        {loaded && messages.length === 0 && <li className="empty">No messages yet.</li>}
        {messages.map((m) => (
          <MessageRow key={m.seq} message={m} />
        ))}
      </ul>
    </section>
  );
}
