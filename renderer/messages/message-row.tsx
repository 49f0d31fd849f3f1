// One message: from whom to whom (everyone for `*`), when, what about, and its text.
import type { Message } from '../../shared/message.js';
import { formatAgo } from '../common/format-time.js';
import { HolderName } from '../locks/locks-holder-name.js';
import { useNow } from '../common/use-now.js';

export function MessageRow({ message }: { message: Message }) {
  const now = useNow();
  const toUser = message.to === 'user';
  return (
    <li className={toUser ? 'message-row to-user' : 'message-row'} data-testid={`message-${message.seq}`}>
      <div className="message-head">
        <HolderName id={message.from} /> → <HolderName id={message.to} />
        {message.task && <span className="tag mono">{message.task}</span>}
        <span className="spacer" />
        <time
          className="muted"
          dateTime={new Date(message.ts).toISOString()}
          title={new Date(message.ts).toLocaleString()}
        >
          {formatAgo(message.ts, now)}
        </time>
      </div>
      <div className="message-body">{message.body}</div>
    </li>
  );
}
