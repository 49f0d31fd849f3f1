// @vitest-environment jsdom
// The log pane's search: typed words go to logs.search (the daemon's index) for the selected service,
// matches are marked, Enter / Shift+Enter jump between them, a wrong search says what is wrong and keeps
// the last results, chips remove a part, live lines join only when they match, structured lines show their
// level and fields.
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { LogSearchHit } from '../../../shared/logs.js';
import type { LogLine } from '../../../shared/service.js';
import { LogPane } from '../../../renderer/logs/log-pane.js';
import { renderView, type RenderedView } from '../../helpers/render-view.js';
import { projectInfo, serviceInfo } from '../../helpers/view-fixtures.js';

const line = (seq: number, text: string, extra: Partial<LogLine> = {}): LogLine => ({
  seq,
  project: 'shop',
  service: 'api',
  stream: 'stdout',
  ts: 1_700_000_000_000 + seq,
  text,
  level: null,
  ...extra,
});
const hit = (l: LogLine, matches: [number, number][]): LogSearchHit => ({ ...l, matches });

const PAGE = [
  line(1, 'GET /orders 200'),
  line(2, '{"level":50,"msg":"payment failed","user":{"id":42}}', {
    level: 50,
    msg: 'payment failed',
    fields: { user: { id: 42 } },
  }),
  line(3, 'payment retried'),
  line(4, 'GET /health 200'),
];

async function open(): Promise<RenderedView> {
  const view = renderView(<LogPane />, ({ client }) => {
    client.answer('projects.list', [projectInfo('shop', { services: ['api'] })]);
    client.answer('services.list', [serviceInfo('api')]);
    client.answer('logs.page', { lines: PAGE, hasMore: false });
    client.answer('logs.search', ({ query }) => {
      const found = (query ?? '').includes('payment') ? [hit(PAGE[1]!, [[0, 7]]), hit(PAGE[2]!, [[0, 7]])] : [];
      return { lines: found, nextCursor: null, total: null, ms: 1 };
    });
  });
  await waitFor(() => expect(screen.getAllByTestId('log-line')).toHaveLength(4));
  return view;
}

const shown = () => screen.getAllByTestId('log-line').map((r) => r.querySelector('.log-text')!.textContent);

describe('LogPane search', () => {
  it('shows structured lines by message and fields with their level', async () => {
    await open();
    const row = screen.getAllByTestId('log-line')[1]!;
    expect(row.querySelector('.log-text')!.textContent).toBe('payment failed  user.id=42');
    expect(row.getAttribute('data-level')).toBe('error');
    expect(row.className).toContain('log-level-error');
    expect(within(row).getByText('error')).toBeTruthy();
  });

  it("asks the daemon's index, marks matches, and jumps between them with Enter and Shift+Enter", async () => {
    const { client, user } = await open();
    await user.type(screen.getByTestId('log-search'), 'payment');
    await waitFor(() => expect(shown()).toEqual(['payment failed  user.id=42', 'payment retried']));
    expect(client.inputsOf('logs.search').at(-1)).toEqual({
      project: 'shop',
      services: ['api'],
      query: 'payment',
      limit: 500,
    });
    expect(screen.getAllByTestId('log-match').map((m) => m.textContent)).toEqual(['payment', 'payment']);

    const current = () => document.querySelector('[aria-current="true"]')?.getAttribute('data-seq');
    await user.keyboard('{Enter}'); // first jump: the newest match
    expect(current()).toBe('3');
    expect(screen.getByTestId('log-match-count').textContent).toBe('2 / 2 matches');
    expect((screen.getByTestId('log-follow') as HTMLInputElement).checked).toBe(false);
    await user.keyboard('{Shift>}{Enter}{/Shift}');
    expect(current()).toBe('2');
    await user.click(screen.getByTestId('log-prev-match')); // wraps around
    expect(current()).toBe('3');
  });

  it('adds live lines only when they match, and marks them too', async () => {
    const { client, user } = await open();
    await user.type(screen.getByTestId('log-search'), 'payment');
    await waitFor(() => expect(shown()).toHaveLength(2));
    act(() => {
      client.emitLine(line(5, 'GET /health 200'));
      client.emitLine(line(6, 'PAYMENT accepted'));
    });
    await waitFor(() => expect(shown()).toEqual(['payment failed  user.id=42', 'payment retried', 'PAYMENT accepted']));
    expect(screen.getAllByTestId('log-match').at(-1)!.textContent).toBe('PAYMENT');
  });

  it('says what is wrong with a search and keeps the last results meanwhile', async () => {
    const { user, client } = await open();
    await user.type(screen.getByTestId('log-search'), 'payment');
    await waitFor(() => expect(shown()).toHaveLength(2));
    const asked = client.inputsOf('logs.search').length;
    await user.type(screen.getByTestId('log-search'), ' "unclosed');
    expect(await screen.findByTestId('log-search-error')).toHaveProperty(
      'textContent',
      'the log search has a quote at column 9 that is never closed: add a closing "',
    );
    expect(screen.getByTestId('log-search').getAttribute('aria-invalid')).toBe('true');
    await new Promise((r) => setTimeout(r, 400));
    expect(client.inputsOf('logs.search')).toHaveLength(asked);
    expect(shown()).toHaveLength(2);
  });

  it('shows a chip per part; removing one, or picking a level, rewrites the search', async () => {
    const { user, client } = await open();
    await user.type(screen.getByTestId('log-search'), 'payment level>=warn user.id=42');
    const chips = await screen.findByTestId('log-chips');
    expect(
      within(chips)
        .getAllByRole('listitem')
        .map((c) => c.firstChild!.textContent),
    ).toEqual(['payment', 'level>=warn', 'user.id=42']);
    expect((screen.getByTestId('log-level-pick') as HTMLSelectElement).value).toBe('warn');
    await user.click(within(chips).getByRole('button', { name: 'Remove level>=warn' }));
    expect((screen.getByTestId('log-search') as HTMLInputElement).value).toBe('payment user.id=42');
    await user.selectOptions(screen.getByTestId('log-level-pick'), 'error');
    expect((screen.getByTestId('log-search') as HTMLInputElement).value).toBe('payment level>=error user.id=42');
    await waitFor(() => expect(client.inputsOf('logs.search').at(-1)?.query).toBe('payment level>=error user.id=42'));
    await user.click(screen.getByTestId('log-search'));
    await user.keyboard('{Escape}'); // clears the search: the whole log again
    await waitFor(() => expect(shown()).toHaveLength(4));
  });
});
