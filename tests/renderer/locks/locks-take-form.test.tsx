// @vitest-environment jsdom
// The human takes a lock: nothing to take until a path is typed, the target and lifetime it sends, the path
// cleared once taken, and a blocked request refused in the daemon's words (naming the holder in the way).
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { LOCK_TTL_UNRENEWED_MS } from '../../../shared/lock.js';
import { LocksTakeForm } from '../../../renderer/locks/locks-take-form.js';
import { renderView } from '../../helpers/render-view.js';
import { lockInfo, projectInfo } from '../../helpers/view-fixtures.js';

function renderForm(projects = ['shop']) {
  return renderView(<LocksTakeForm />, ({ client }) =>
    client.answer(
      'projects.list',
      projects.map((id) => projectInfo(id)),
    ),
  );
}
const path = () => screen.getByRole('textbox', { name: 'Path to lock' }) as HTMLInputElement;
const take = () => screen.getByRole('button', { name: 'Take lock' }) as HTMLButtonElement;

describe('LocksTakeForm', () => {
  it('offers Take lock only once a path is typed', async () => {
    const { user } = renderForm();
    expect(take().disabled).toBe(true);
    await user.type(path(), '   ');
    expect(take().disabled).toBe(true);
    await user.type(path(), 'src/a.ts');
    expect(take().disabled).toBe(false);
  });

  it('takes a lock as the user on a directory, in the chosen mode and for the chosen time, then clears the path', async () => {
    const { client, user } = renderForm(['shop', 'blog']);
    client.answer('locks.acquire', lockInfo('lock-1', 'user', 'src/auth'));
    await screen.findByRole('combobox', { name: 'Project' }); // more than one project: the form asks which
    await user.type(path(), 'src/auth/');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Mode' }), 'INTENT');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Project' }), 'blog');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Lives for' }), '4 hours');
    await user.click(take());
    await waitFor(() => expect(path().value).toBe(''));
    expect(client.inputsOf('locks.acquire')).toEqual([
      {
        holder: 'user',
        mode: 'INTENT',
        target: { kind: 'dir', path: 'src/auth' },
        waitMs: 0,
        project: 'blog',
        ttlMs: 240 * 60_000,
      },
    ]);
  });

  it('lives as long as a lock taken from the CLI unless told otherwise', async () => {
    const { client, user } = renderForm();
    client.answer('locks.acquire', lockInfo('lock-1', 'user', 'README.md'));
    await waitFor(() =>
      expect((screen.getByRole('combobox', { name: 'Lives for' }) as HTMLSelectElement).value).not.toBe(''),
    );
    await user.type(path(), 'README.md');
    await user.click(take());
    await waitFor(() => expect(client.inputsOf('locks.acquire')).toHaveLength(1));
    expect(client.inputsOf('locks.acquire')[0]?.ttlMs).toBe(LOCK_TTL_UNRENEWED_MS);
    expect(client.inputsOf('locks.acquire')[0]?.mode).toBe('WRITE');
  });

  it('shows a blocked request in the daemon’s words and keeps the path', async () => {
    const { client, user } = renderForm();
    client.refuse('locks.acquire', 'CONFLICT', 'src/a.ts is held by alice (WRITE) until 10:42: ask alice or wait');
    await user.type(path(), 'src/a.ts');
    await user.click(take());
    expect((await screen.findByRole('alert')).textContent).toBe(
      'src/a.ts is held by alice (WRITE) until 10:42: ask alice or wait',
    );
    expect(path().value).toBe('src/a.ts');
    expect(take().disabled).toBe(false);
  });
});
