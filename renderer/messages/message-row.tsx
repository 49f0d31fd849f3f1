// One message: from whom (with the teammate's machine it came from) to whom (everyone for `*`), when, what
// about, whether it still waits for a machine to acknowledge it (queued), and its text.
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
        {message.fromMachine ? (
          <span className="holder" title={message.from} data-testid={`message-${message.seq}-from`}>
            {message.fromName}@{message.fromMachine}
          </span>
        ) : (
          <HolderName id={message.from} />
        )}{' '}
        → <HolderName id={message.to} />
        {message.task && <span className="tag mono">{message.task}</span>}
        {(message.queued ?? 0) > 0 && (
          <span
            className="tag queued"
            title={`waiting for ${message.queued} machine(s) to acknowledge it; delivered when they are linked`}
            data-testid={`message-${message.seq}-queued`}
          >
            queued
          </span>
        )}
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
