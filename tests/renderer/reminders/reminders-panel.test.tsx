// @vitest-environment jsdom
// The Reminders panel: the scheduled reminders soonest first, each with its recipient, text, next time and a
// cancel button named for it (a keyboard reaches it with Tab); a reminder.changed event adds one and drops a
// cancelled one; cancel asks the daemon as `user`, and a refusal is said in an alert.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Reminder } from '../../../shared/reminder.js';
import { RemindersPanel } from '../../../renderer/reminders/reminders-panel.js';
import { renderView } from '../../helpers/render-view.js';

function reminder(id: string, over: Partial<Reminder> = {}): Reminder {
  const nextAt = Date.now() + 10 * 60_000;
  return {
    id,
    to: 'agent-fixer',
    toName: 'fixer',
    body: 'check the CI run',
    when: 'in 10m',
    schedule: { kind: 'once', at: nextAt },
    state: 'scheduled',
    nextAt,
    createdBy: 'user',
    createdAt: Date.now(),
    fired: 0,
    lastFiredAt: null,
    lastError: null,
    ...over,
  };
}

const daily = reminder('rem-bbbb', {
  to: 'user',
  toName: 'user',
  body: 'plan the day',
  when: '0 9 * * *',
  schedule: { kind: 'cron', expression: '0 9 * * *', timezone: null },
  nextAt: Date.now() + 2 * 3_600_000,
});

const list = () => screen.getByRole('list', { name: 'Reminders' });
const rows = () => within(list()).queryAllByRole('listitem');

describe('RemindersPanel', () => {
  it('lists the scheduled reminders soonest first, with recipient, text, next time and schedule', async () => {
    renderView(<RemindersPanel />, ({ client }) => client.answer('reminders.list', [daily, reminder('rem-aaaa')]));
    expect(screen.getByRole('region', { name: 'Reminders' })).toBeTruthy();
    await waitFor(() => expect(rows()).toHaveLength(2));
    const [first, second] = rows();
    expect(first!.textContent).toContain('→ fixer');
    expect(first!.textContent).toContain('check the CI run');
    expect(first!.textContent).toMatch(/in (9m|10m) \d\ds/);
    expect(second!.textContent).toContain('→ user');
    expect(second!.textContent).toContain('0 9 * * *');
  });

  it('says how to add one when none is scheduled', async () => {
    renderView(<RemindersPanel />);
    await waitFor(() => expect(list().textContent).toContain('devmesh remind'));
  });

  it('follows reminder.changed: a new one appears, a cancelled one leaves', async () => {
    const { client } = renderView(<RemindersPanel />, ({ client }) =>
      client.answer('reminders.list', [reminder('rem-aaaa')]),
    );
    await waitFor(() => expect(rows()).toHaveLength(1));
    client.emit({ type: 'reminder.changed', ts: Date.now(), reminder: daily });
    await waitFor(() => expect(rows()).toHaveLength(2));
    const gone = reminder('rem-aaaa', { state: 'cancelled', nextAt: null });
    client.emit({ type: 'reminder.changed', ts: Date.now(), reminder: gone });
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0]!.textContent).toContain('plan the day');
  });

  it('cancels from the keyboard as the user, and says why when refused', async () => {
    const { client, user } = renderView(<RemindersPanel />, ({ client }) =>
      client.answer('reminders.list', [reminder('rem-aaaa'), daily]),
    );
    client.answer('reminders.cancel', (input) => ({ ...reminder(input.id), state: 'cancelled', nextAt: null }));
    const button = await screen.findByRole('button', { name: 'Cancel the reminder to fixer: check the CI run' });
    await user.tab(); // New reminder comes first, in the panel's header
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'New reminder' }));
    await user.tab();
    expect(document.activeElement).toBe(button);
    await user.keyboard('{Enter}');
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(client.inputsOf('reminders.cancel')).toEqual([{ id: 'rem-aaaa', by: 'user' }]);

    client.refuse('reminders.cancel', 'CONFLICT', 'reminder rem-bbbb is done already; nothing to cancel');
    await user.click(screen.getByRole('button', { name: 'Cancel the reminder to user: plan the day' }));
    expect((await screen.findByRole('alert')).textContent).toContain('is done already');
    expect(rows()).toHaveLength(1);
  });
});
