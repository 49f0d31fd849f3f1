// @vitest-environment jsdom
// The Audit view over the contract: the chain newest first, filtered by kind, actor and time (each sent to
// audit.list as the filter; a field that cannot be sent says so and sends nothing), older pages through the
// `before` cursor, an entry in full on choosing it, and the verify result: intact, or broken at entry N.
import { act, screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiOutput } from '../../../shared/api.js';
import type { AuditEntry } from '../../../shared/audit.js';
import { AuditView } from '../../../renderer/audit/audit-view.js';
import { installLayoutStubs } from '../../helpers/jsdom-layout.js';
import { renderView, type ViewClient } from '../../helpers/render-view.js';

beforeAll(installLayoutStubs);

/** Types into a field. Not through a click: in jsdom every box is at 0,0, where the panes' handle takes a
 *  pointer press (and the focus) as a drag. */
async function typeInto(user: UserEvent, field: HTMLElement, text: string): Promise<void> {
  act(() => field.focus());
  await user.type(field, text, { skipClick: true });
}

const hash = (n: number) => n.toString(16).padStart(64, '0');
const entry = (seq: number, kind = 'lock.granted', actor = 'fixer'): AuditEntry => ({
  seq,
  ts: 1_700_000_000_000 + seq * 1000,
  actor,
  kind,
  subject: `src/file-${seq}.ts`,
  data: { mode: 'write', seq },
  prevHash: hash(seq - 1),
  hash: hash(seq),
});

const verified = (over: Partial<ApiOutput<'audit.verify'>> = {}): ApiOutput<'audit.verify'> => ({
  ok: true,
  entries: 250,
  firstBroken: null,
  headSeq: 250,
  mirror: 'ok',
  mirrorBehind: 0,
  gaps: [],
  mirrorPath: '/home/u/.devmesh/audit.jsonl',
  ms: 3,
  ...over,
});

/** a chain of 250 entries, newest first, 100 a page, honouring kind (prefix) and before */
function chain(client: ViewClient): void {
  const all = Array.from({ length: 250 }, (_, i) => entry(250 - i, i % 2 === 0 ? 'lock.granted' : 'task.awarded'));
  client.answer('audit.list', (input) => {
    const matching = all.filter(
      (e) =>
        (input.kind === undefined || e.kind === input.kind || e.kind.startsWith(`${input.kind}.`)) &&
        (input.before === undefined || e.seq < input.before),
    );
    const page = matching.slice(0, input.limit ?? 100);
    return { entries: page, nextBefore: matching.length > page.length ? page.at(-1)!.seq : null };
  });
  client.answer('audit.verify', verified());
}

describe('the Audit view', () => {
  it('lists the newest entries first, says the chain is intact, and pages back through older ones', async () => {
    const { client, user } = renderView(<AuditView />, ({ client }) => chain(client));
    const table = await screen.findByRole('table', { name: 'Audit entries, newest first' });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(101));
    expect(within(table).getAllByRole('row')[1]!.textContent).toContain('250');
    const verify = await screen.findByTestId('audit-verify');
    await waitFor(() => expect(verify.getAttribute('data-state')).toBe('ok'));
    expect(verify.textContent).toContain('Intact: 250 entries verified, the mirror matches.');
    await user.click(screen.getByRole('button', { name: 'Load older entries' }));
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(201));
    await user.click(screen.getByRole('button', { name: 'Load older entries' }));
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(251));
    expect(screen.queryByRole('button', { name: 'Load older entries' })).toBeNull();
    expect(client.inputsOf('audit.list').map((i) => i.before)).toContain(51);
  });

  it('sends the kind and actor typed as the filter, and shows an entry in full on choosing it', async () => {
    const { client, user } = renderView(<AuditView />, ({ client }) => chain(client));
    await screen.findByTestId('audit-entry-250');
    await typeInto(user, screen.getByRole('combobox', { name: 'Kind' }), 'task');
    await waitFor(() => expect(screen.queryByTestId('audit-entry-250')).toBeNull());
    expect(screen.getByTestId('audit-entry-249')).toBeTruthy();
    expect(client.inputsOf('audit.list').at(-1)).toMatchObject({ kind: 'task', limit: 100 });
    await typeInto(user, screen.getByRole('textbox', { name: 'Actor' }), 'fixer');
    await waitFor(() => expect(client.inputsOf('audit.list').at(-1)).toMatchObject({ kind: 'task', actor: 'fixer' }));
    await user.click(screen.getByRole('button', { name: 'Entry 249: task.awarded by fixer' }));
    const detail = screen.getByRole('region', { name: 'Entry 249' });
    expect(detail.textContent).toContain('src/file-249.ts');
    expect(detail.textContent).toContain(hash(249));
    expect(within(detail).getByLabelText('Data').textContent).toContain('"mode": "write"');
  });

  it('says which field cannot be sent, sends nothing for it, and Clear empties the filter', async () => {
    const { client, user, stores } = renderView(<AuditView />, ({ client }) => chain(client));
    await screen.findByTestId('audit-entry-250');
    // "lock" is sent as typed; "lock g" cannot be, and the lock entries stay on screen
    await typeInto(user, screen.getByRole('combobox', { name: 'Kind' }), 'lock granted');
    expect((await screen.findByRole('alert')).textContent).toBe(
      '“lock granted” is not a kind: write dotted lower-case words, as lock.granted or lock',
    );
    expect(screen.getByRole('combobox', { name: 'Kind' }).getAttribute('aria-invalid')).toBe('true');
    expect(new Set(client.inputsOf('audit.list').map((i) => i.kind))).toEqual(
      new Set([undefined, 'l', 'lo', 'loc', 'lock']),
    );
    await waitFor(() => expect(screen.queryByTestId('audit-entry-249')).toBeNull());
    expect(screen.getByTestId('audit-entry-250')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Clear' }));
    expect(stores.audit.getState().form.kind).toBe('');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows a broken chain with the entry where it breaks, and verifies again on request', async () => {
    const { client, user, stores } = renderView(<AuditView />, ({ client }) => {
      chain(client);
      client.answer(
        'audit.verify',
        verified({ ok: false, firstBroken: { seq: 57, why: 'its hash does not match its content' } }),
      );
    });
    const verify = await screen.findByTestId('audit-verify');
    await waitFor(() => expect(verify.getAttribute('data-state')).toBe('broken'));
    expect(verify.textContent).toContain('Broken at entry 57: its hash does not match its content.');
    client.answer('audit.verify', verified());
    await user.click(screen.getByRole('button', { name: 'Verify again' }));
    await waitFor(() => expect(verify.getAttribute('data-state')).toBe('ok'));
    const verifies = client.inputsOf('audit.verify').length;
    act(() => stores.audit.getState().requestVerify()); // the palette's "Verify the audit chain"
    await waitFor(() => expect(client.inputsOf('audit.verify')).toHaveLength(verifies + 1));
  });

  it('says when the daemon cannot read the chain', async () => {
    renderView(<AuditView />, ({ client }) => {
      chain(client);
      client.refuse('audit.list', 'INTERNAL', 'the audit store is closed');
    });
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Could not read the audit chain: the audit store is closed',
    );
  });
});
