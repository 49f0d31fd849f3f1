// @vitest-environment jsdom
// A locked file written past its lock (files.lock-bypassed, found by the watcher after the fact): the Locks
// view raises an alert naming who wrote which file and who holds it how, kept until dismissed (by keyboard);
// the same news is a toast on whatever view is shown; the same event twice is one alert.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { LockBypassedEvent } from '../../../shared/files.js';
import { LocksView } from '../../../renderer/locks/locks-view.js';
import { renderView } from '../../helpers/render-view.js';

const bypass = (over: Partial<LockBypassedEvent> = {}): LockBypassedEvent => ({
  type: 'files.lock-bypassed',
  ts: Date.UTC(2026, 11, 7, 14, 30),
  root: '/repo/shop',
  project: 'shop',
  path: 'src/app.ts',
  change: 'update',
  where: '/wt/fixer',
  writer: { agentId: 'agent-1', name: 'fixer' },
  holders: [{ holder: 'agent-2', holderName: 'reviewer', lockId: 'lk-1', mode: 'WRITE', machine: null }],
  ...over,
});

describe('Locks view: lock bypass alerts', () => {
  it('names who wrote which file past whose lock, toasts it, and dismisses from the keyboard', async () => {
    const { client, stores, user } = renderView(<LocksView />);
    await screen.findByText(/No lock space yet/);
    client.emit(bypass());
    client.emit(bypass()); // the same write again: one alert
    const alert = await screen.findByRole('alert', { name: 'Lock bypassed: src/app.ts' });
    expect(within(alert).getByTestId('lock-bypass-text').textContent).toBe(
      'fixer changed src/app.ts past the lock of reviewer (WRITE).',
    );
    expect(alert.textContent).toContain('/wt/fixer');
    expect(screen.getAllByRole('alert', { name: /^Lock bypassed/ })).toHaveLength(1);
    expect(stores.toasts.getState().toasts.map((t) => t.message)).toEqual([
      'fixer changed src/app.ts past the lock of reviewer (WRITE)',
    ]);

    const dismiss = within(alert).getByRole('button', { name: 'Dismiss lock bypass of src/app.ts' });
    dismiss.focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByRole('alert', { name: /^Lock bypassed/ })).toBeNull());
  });

  it('says when the writer is not known and names the human and a teammate’s holder', async () => {
    const { client } = renderView(<LocksView />);
    await screen.findByText(/No lock space yet/);
    client.emit(
      bypass({
        path: 'db/schema.sql',
        change: 'delete',
        where: '/repo/shop',
        writer: null,
        holders: [
          { holder: 'user', holderName: 'user', lockId: 'lk-2', mode: 'INTENT', machine: null },
          { holder: 'agent-9', holderName: 'builder', lockId: 'lk-3', mode: 'CO_WRITE', machine: 'alice' },
        ],
      }),
    );
    const alert = await screen.findByRole('alert', { name: 'Lock bypassed: db/schema.sql' });
    expect(within(alert).getByTestId('lock-bypass-text').textContent).toBe(
      'someone in the project checkout deleted db/schema.sql past the lock of you (INTENT), builder (CO_WRITE on alice).',
    );
  });
});
