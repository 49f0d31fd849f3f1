// An agent writing to the human shows a desktop notification naming the agent and the task, with the
// message (cut when long); messages between agents and the human's own do not notify.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import type { Message } from '../../shared/message.js';
import { Notification, resetFake } from './fake-electron.js';
import { FakeCore } from './fake-core.js';
import { MessageNotifier } from '../../main/electron/message-notifier.js';

let core: FakeCore;
let seq = 0;
const post = (m: Partial<Message>) =>
  core.events.emit({
    type: 'message.posted',
    ts: 1,
    message: {
      seq: ++seq,
      from: 'agent-1',
      fromName: 'claude-2',
      to: 'user',
      toName: 'user',
      body: 'hi',
      task: null,
      ts: 1,
      ...m,
    },
  });

beforeEach(() => {
  resetFake();
  core = new FakeCore();
  new MessageNotifier(core.api(), { onClick: vi.fn(), now: () => 1_000 });
});

describe('MessageNotifier', () => {
  it('notifies each message an agent sends to the human, naming the agent and the task', () => {
    post({ body: 'Should the cart keep the discount after checkout?', task: 'task-abc123' });
    post({ body: 'x'.repeat(500) });
    expect(Notification.instances.map((n) => n.options.title)).toEqual([
      'claude-2 wrote to you about task-abc123',
      'claude-2 wrote to you',
    ]);
    expect(Notification.instances[0]!.options.body).toBe('Should the cart keep the discount after checkout?');
    expect(Notification.instances[1]!.options.body).toHaveLength(160);
  });

  it('stays quiet for messages between agents, broadcasts and the human’s own', () => {
    post({ to: 'agent-2', toName: 'codex' });
    post({ to: '*', toName: 'everyone' });
    post({ from: 'user', fromName: 'user' });
    expect(Notification.instances).toHaveLength(0);
  });
});
