// @vitest-environment jsdom
// Creating a reminder in the Reminders panel, from the keyboard: to an agent or the human, a message, and when
// (`in 10m`, an ISO time, or a cron expression with its time zone); it is sent as `user`, the new reminder is
// listed at once, and the daemon's refusal of a bad time is shown as the daemon said it, the form kept.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Reminder } from '../../../shared/reminder.js';
import { RemindersPanel } from '../../../renderer/reminders/reminders-panel.js';
import { renderView } from '../../helpers/render-view.js';
import { agentRecord } from '../../helpers/view-fixtures.js';

function created(input: { to: string; when: string; body: string; timezone?: string }): Reminder {
  const nextAt = Date.now() + 10 * 60_000;
  const cron = input.when.split(' ').length === 5;
  return {
    id: 'rem-new1',
    to: input.to,
    toName: input.to,
    body: input.body,
    when: input.when,
    schedule: cron
      ? { kind: 'cron', expression: input.when, timezone: input.timezone ?? null }
      : { kind: 'once', at: nextAt },
    state: 'scheduled',
    nextAt,
    createdBy: 'user',
    createdAt: Date.now(),
    fired: 0,
    lastFiredAt: null,
    lastError: null,
  };
}

const rows = () => within(screen.getByRole('list', { name: 'Reminders' })).queryAllByRole('listitem');

describe('Reminders panel: New reminder', () => {
  it('schedules one to an agent from the keyboard and lists it', async () => {
    const { client, user } = renderView(<RemindersPanel />, ({ client }) => {
      client.answer('agents.list', [agentRecord('agent-1', { name: 'fixer' })]);
    });
    client.answer('reminders.create', (input) => created(input));
    const open = await screen.findByRole('button', { name: 'New reminder' });
    await waitFor(() => expect((open as HTMLButtonElement).disabled).toBe(false));
    open.focus();
    await user.keyboard('{Enter}');
    const form = within(await screen.findByRole('form', { name: 'New reminder' }));
    const to = form.getByRole('combobox', { name: 'Remind' }) as HTMLInputElement;
    expect(document.activeElement).toBe(to);
    expect(to.value).toBe('user');
    // the agents on this machine are offered
    await waitFor(() =>
      expect([...document.querySelectorAll('datalist option')].map((o) => (o as HTMLOptionElement).value)).toContain(
        'fixer',
      ),
    );
    await user.clear(to);
    await user.type(to, 'fixer');
    await user.tab();
    expect(document.activeElement).toBe(form.getByRole('textbox', { name: 'When' }));
    await user.clear(form.getByRole('textbox', { name: 'When' }));
    await user.type(form.getByRole('textbox', { name: 'When' }), 'in 15m');
    await user.type(form.getByRole('textbox', { name: 'Reminder message' }), 'check the CI run');
    await user.click(form.getByRole('button', { name: 'Schedule' }));
    await waitFor(() => expect(screen.queryByRole('form', { name: 'New reminder' })).toBeNull());
    expect(client.inputsOf('reminders.create')).toEqual([
      { to: 'fixer', when: 'in 15m', body: 'check the CI run', by: 'user' },
    ]);
    expect(rows()).toHaveLength(1);
    expect(rows()[0]!.textContent).toContain('check the CI run');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'New reminder' })));
  });

  it('sends a cron expression with its time zone to the human', async () => {
    const { client, user } = renderView(<RemindersPanel />);
    client.answer('reminders.create', (input) => created(input));
    await user.click(await screen.findByRole('button', { name: 'New reminder' }));
    const form = within(await screen.findByRole('form', { name: 'New reminder' }));
    await user.clear(form.getByRole('textbox', { name: 'When' }));
    await user.type(form.getByRole('textbox', { name: 'When' }), '0 9 * * 1-5');
    await user.type(form.getByRole('textbox', { name: 'Time zone' }), 'Europe/Paris');
    await user.type(form.getByRole('textbox', { name: 'Reminder message' }), 'plan the day');
    await user.click(form.getByRole('button', { name: 'Schedule' }));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(client.inputsOf('reminders.create')).toEqual([
      { to: 'user', when: '0 9 * * 1-5', body: 'plan the day', timezone: 'Europe/Paris', by: 'user' },
    ]);
    expect(rows()[0]!.textContent).toContain('0 9 * * 1-5');
  });

  it('shows the daemon’s refusal of a bad time as it is and keeps what was typed', async () => {
    const said = 'cannot read "in ten minutes" as a time: write "in 10m", an ISO time or a cron expression';
    const { user } = renderView(<RemindersPanel />, ({ client }) =>
      client.refuse('reminders.create', 'BAD_REQUEST', said),
    );
    await user.click(await screen.findByRole('button', { name: 'New reminder' }));
    const form = within(await screen.findByRole('form', { name: 'New reminder' }));
    await user.clear(form.getByRole('textbox', { name: 'When' }));
    await user.type(form.getByRole('textbox', { name: 'When' }), 'in ten minutes');
    await user.type(form.getByRole('textbox', { name: 'Reminder message' }), 'stand up');
    await user.click(form.getByRole('button', { name: 'Schedule' }));
    expect((await form.findByRole('alert')).textContent).toBe(said);
    expect((form.getByRole('textbox', { name: 'When' }) as HTMLInputElement).value).toBe('in ten minutes');
    expect(screen.getByRole('list', { name: 'Reminders' }).textContent).toContain('None scheduled');
  });

  it('offers no Schedule until to, when and a message are given, and closes with Escape', async () => {
    const { user } = renderView(<RemindersPanel />);
    await user.click(await screen.findByRole('button', { name: 'New reminder' }));
    const form = within(await screen.findByRole('form', { name: 'New reminder' }));
    expect((form.getByRole('button', { name: 'Schedule' }) as HTMLButtonElement).disabled).toBe(true);
    await user.type(form.getByRole('textbox', { name: 'Reminder message' }), 'x');
    expect((form.getByRole('button', { name: 'Schedule' }) as HTMLButtonElement).disabled).toBe(false);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('form', { name: 'New reminder' })).toBeNull();
  });
});
