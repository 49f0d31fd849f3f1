// @vitest-environment jsdom
// The log pane's following, laid out as a browser would (ScrollBox: rows of one height in a short view, a
// `scroll` event after every move). Following sticks to the newest line until the user scrolls up; it comes
// back when the user scrolls to the bottom or ticks Follow. Moves the pane makes itself (a jump to a match,
// the view clamped when a search leaves fewer lines) are not the user's and never turn following back on.
import { act, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogSearchHit } from '../../../shared/logs.js';
import type { LogLine } from '../../../shared/service.js';
import { LogPane } from '../../../renderer/logs/log-pane.js';
import { ScrollBox } from '../../helpers/jsdom-layout.js';
import { renderView, type RenderedView } from '../../helpers/render-view.js';
import { projectInfo, serviceInfo } from '../../helpers/view-fixtures.js';

const ROW = 20;
const VIEW = 100; // five rows in view

const line = (seq: number, text: string): LogLine => ({
  seq,
  project: 'shop',
  service: 'api',
  stream: 'stdout',
  ts: 1_700_000_000_000 + seq,
  text,
  level: null,
});

/** 60 lines; every fourth is a payment: 15 matches, three views' worth */
const PAGE = Array.from({ length: 60 }, (_, i) =>
  line(i + 1, i % 4 === 3 ? `payment ${i + 1} failed` : `GET /orders/${i + 1} 200`),
);

let box: ScrollBox | undefined;
afterEach(() => {
  box?.dispose();
  box = undefined;
});

async function open(matches: (q: string) => LogLine[]): Promise<RenderedView & { box: ScrollBox }> {
  const view = renderView(<LogPane />, ({ client }) => {
    client.answer('projects.list', [projectInfo('shop', { services: ['api'] })]);
    client.answer('services.list', [serviceInfo('api')]);
    client.answer('logs.page', { lines: PAGE, hasMore: false });
    client.answer('logs.search', ({ query }) => {
      const found: LogSearchHit[] = matches(query ?? '').map((l) => ({ ...l, matches: [[0, 7]] }));
      return { lines: found, nextCursor: null, total: null, ms: 1 };
    });
  });
  await waitFor(() => expect(rows()).toHaveLength(60));
  box = new ScrollBox(screen.getByTestId('log-lines'), {
    rowSelector: '[data-testid="log-line"]',
    rowHeight: ROW,
    clientHeight: VIEW,
  });
  await settle();
  return { ...view, box };
}

const rows = () => screen.queryAllByTestId('log-line');
const following = () => (screen.getByTestId('log-follow') as HTMLInputElement).checked;
const current = () => document.querySelector('[aria-current="true"]')?.getAttribute('data-seq');
/** the pane has seen the `scroll` event of every move so far */
const settle = () => act(() => box!.settle());
const payments = (q: string) => (q.includes('payment') ? PAGE.filter((l) => l.text.startsWith('payment')) : []);

async function scrollUpAndSearch(view: RenderedView & { box: ScrollBox }, top: number, count: number) {
  expect(following()).toBe(true);
  view.box.userScroll(top);
  await settle();
  expect(following()).toBe(false);
  await view.user.type(screen.getByTestId('log-search'), 'payment');
  await waitFor(() => expect(rows()).toHaveLength(count));
  await settle();
}

describe('LogPane following', () => {
  it('a jump to the newest match, at the bottom of a long list, stops following', async () => {
    const view = await open(payments);
    await scrollUpAndSearch(view, 0, 15);
    expect(view.box.scrollHeight).toBeGreaterThan(VIEW); // the newest match is out of view: the jump scrolls

    await view.user.keyboard('{Enter}');
    expect(current()).toBe('60');
    await settle();
    expect(view.box.visibleRows()).toEqual([10, 14]); // the view went to the newest match, at the bottom
    expect(following()).toBe(false);

    await view.user.keyboard('{Shift>}{Enter}{/Shift}');
    await settle();
    expect(current()).toBe('56');
    expect(following()).toBe(false);

    // a new match arrives below; the user is reading, so the view stays where it is
    act(() => view.client.emitLine(line(61, 'payment 61 failed')));
    await waitFor(() => expect(rows()).toHaveLength(16));
    await settle();
    expect(view.box.visibleRows()).toEqual([10, 14]);
    expect(following()).toBe(false);
  });

  it('the user scrolling back to the bottom after a jump follows again, and new matches stay in view', async () => {
    const view = await open(payments);
    await scrollUpAndSearch(view, 0, 15);
    await view.user.keyboard('{Enter}');
    await settle();
    view.box.userScroll(40);
    await settle();
    expect(following()).toBe(false);

    view.box.userScroll(view.box.scrollHeight);
    await settle();
    expect(following()).toBe(true);
    act(() => view.client.emitLine(line(61, 'payment 61 failed')));
    await waitFor(() => expect(rows()).toHaveLength(16));
    await settle();
    expect(view.box.visibleRows()).toEqual([11, 15]);
    expect(following()).toBe(true);
  });

  it('a search with fewer matches than the view holds leaves following paused', async () => {
    const three = (q: string) => payments(q).slice(-3);
    const view = await open(three);
    // reading the middle of the log; the search then leaves three lines, and the view is clamped to them
    await scrollUpAndSearch(view, 600, 3);
    expect(view.box.scrollHeight).toBe(VIEW);
    expect(following()).toBe(false);
    await view.user.keyboard('{Enter}');
    await settle();
    expect(current()).toBe('60');
    expect(following()).toBe(false);

    // Follow, ticked: back to the newest line, and it sticks there
    await view.user.click(screen.getByTestId('log-follow'));
    await settle();
    expect(following()).toBe(true);
    act(() => {
      for (let seq = 61; seq <= 64; seq++) view.client.emitLine(line(seq, `payment ${seq} failed`));
    });
    await waitFor(() => expect(rows()).toHaveLength(7));
    await settle();
    expect(view.box.visibleRows()).toEqual([2, 6]);
    expect(following()).toBe(true);
  });
});
