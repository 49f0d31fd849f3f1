// The words an agent is given for what it has not seen: the context Claude Code's hooks add to its prompt or
// after a tool (a few lines), the one line typed at another CLI's idle prompt, and the one-line nudge typed
// at Claude Code's idle prompt (its hook then adds the messages themselves). Short on purpose: a capped
// number of items, long bodies cut, and how many more wait and where to read them.
import { AGENT_CONTEXT_MAX_BODY, type AgentNotice } from '../../../shared/agent-context.js';
import type { Message } from '../../../shared/message.js';

export interface ContextItems {
  messages: Message[];
  notices: AgentNotice[];
  moreMessages: number;
  moreNotices: number;
}

/** The context for a Claude Code hook; null when there is nothing new (no empty context is ever given). */
export function hookContext(items: ContextItems): string | null {
  const { messages, notices, moreMessages, moreNotices } = items;
  if (messages.length === 0 && notices.length === 0) return null;
  const lines = ['DevMesh (your team of agents and humans) has news for you.'];
  if (messages.length > 0) {
    lines.push(`New messages to you (now marked read):`);
    for (const m of messages) lines.push(`- ${header(m)}: ${JSON.stringify(cut(m.body, AGENT_CONTEXT_MAX_BODY))}`);
  }
  if (moreMessages > 0)
    lines.push(`${plural(moreMessages, 'more unread message')} waiting: call read_messages for them.`);
  if (notices.length > 0) {
    lines.push('Team events:');
    for (const n of notices) lines.push(`- ${n.text}`);
  }
  if (moreNotices > 0) lines.push(`${plural(moreNotices, 'more team event')} will follow with your next tool use.`);
  if (messages.length > 0) lines.push('Answer with send_message when a message asks you something.');
  return lines.join('\n');
}

/** One line for another CLI's idle prompt: the messages, compact (Enter submits the line). */
export function typedLine(messages: Message[], more: number): string {
  const parts = messages.map((m) => `${header(m)}: ${cut(oneLine(m.body), 240)}`);
  const tail = more > 0 ? ` (${more} more: use read_messages)` : '';
  return `DevMesh: ${plural(messages.length, 'new message')}. ${parts.join(' | ')}${tail}`;
}

/** The nudge typed at Claude Code's idle prompt: its UserPromptSubmit hook adds the messages to this prompt. */
export function nudgeLine(unread: number, senders: string[]): string {
  const from = senders.length > 0 ? ` from ${senders.join(', ')}` : '';
  const how = 'they come with this prompt (read_messages shows them too)';
  return `DevMesh: ${plural(unread, 'new message')} for you${from}; ${how}.`;
}

function header(m: Message): string {
  const to = m.to === '*' ? ' to everyone' : '';
  const task = m.task ? ` about ${m.task}` : '';
  return `from ${m.fromName}${to}${task} (#${m.seq})`;
}

function cut(text: string, max: number): string {
  return text.length <= max
    ? text
    : `${text.slice(0, max)}… [cut: read_messages with unread_only=false shows it whole]`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
