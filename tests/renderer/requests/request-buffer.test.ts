// The Requests view's data: a bounded buffer merged by seq (SeqBuffer, over request records), and the
// filter live records must pass.
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../../shared/proxy.js';
import { SeqBuffer } from '../../../renderer/live/seq-buffer.js';
import {
  isFailedRequest,
  matchesRequestFilter,
  NO_REQUEST_FILTER,
  requestFilterKey,
} from '../../../renderer/requests/request-filter.js';
import { request, requests } from '../proxy-fixtures.js';

const seqs = (b: SeqBuffer<RequestRecord>) => b.items.map((r) => r.seq);

describe('SeqBuffer of request records', () => {
  it('holds a page oldest first and appends only newer records, once', () => {
    const b = new SeqBuffer<RequestRecord>(100);
    b.reset([...requests(1, 5)].reverse(), true); // pages may come newest first
    expect(seqs(b)).toEqual([1, 2, 3, 4, 5]);
    expect(b.hasMore).toBe(true);
    expect(b.appendNewer([request(7), request(4), request(6), request(5), request(7)])).toBe(2);
    expect(seqs(b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(b.appendNewer([request(3)])).toBe(0);
  });

  it('keeps at most `capacity`, dropping the oldest, and then says older ones exist', () => {
    const b = new SeqBuffer<RequestRecord>(10);
    b.reset(requests(1, 4), false);
    b.appendNewer(requests(5, 25));
    expect(seqs(b)).toEqual(requests(16, 25).map((r) => r.seq));
    expect(b).toMatchObject({ full: true, hasMore: true, room: 0, oldestSeq: 16 });
  });

  it('prepends an older page as far as there is room', () => {
    const b = new SeqBuffer<RequestRecord>(8);
    b.reset(requests(11, 15), true);
    expect(b.prependOlder(requests(6, 12), true)).toBe(3); // 11 and 12 already held; room for 3 of 6-10
    expect(seqs(b)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(b.hasMore).toBe(true);
    const c = new SeqBuffer<RequestRecord>(8);
    c.reset(requests(3, 4), true);
    c.prependOlder(requests(1, 2), false);
    expect(seqs(c)).toEqual([1, 2, 3, 4]);
    expect(c.hasMore).toBe(false);
  });

  it('keeps a view order other than seq (requests by start time), trims in that order, and never takes a trimmed item back', () => {
    const byTs = (a: RequestRecord, b: RequestRecord) => a.ts - b.ts;
    const b = new SeqBuffer<RequestRecord>(3, byTs);
    b.reset([request(1, { ts: 20 }), request(2, { ts: 30 }), request(3, { ts: 5 })], false);
    expect(seqs(b)).toEqual([3, 1, 2]);
    expect(b.oldestSeq).toBe(1);
    // seq 3 (the newest seq, but the earliest start) is trimmed first; a catch-up page holding it again
    // must not bring it back in
    expect(b.appendNewer([request(4, { ts: 25 })])).toBe(1);
    expect(seqs(b)).toEqual([1, 4, 2]);
    expect(b.appendNewer([request(3, { ts: 5 }), request(4, { ts: 25 })])).toBe(0);
    expect(seqs(b)).toEqual([1, 4, 2]);
    expect(b.hasMore).toBe(true);
  });
});

describe('request filter', () => {
  it('counts 4xx, 5xx and DevMesh errors as failed', () => {
    expect(isFailedRequest(request(1))).toBe(false);
    expect(isFailedRequest(request(1, { status: 302 }))).toBe(false);
    expect(isFailedRequest(request(1, { status: 404 }))).toBe(true);
    expect(isFailedRequest(request(1, { status: 502, error: 'connection refused by api (127.0.0.1:4001)' }))).toBe(
      true,
    );
  });

  it('matches by service, errors only, and host or path text, case-insensitively', () => {
    const ok = request(1, { service: 'web', host: 'web.localhost', path: '/Cart' });
    const bad = request(2, { service: 'api', status: 500 });
    expect(matchesRequestFilter(ok, NO_REQUEST_FILTER)).toBe(true);
    expect(matchesRequestFilter(ok, { ...NO_REQUEST_FILTER, service: 'api' })).toBe(false);
    expect(matchesRequestFilter(bad, { ...NO_REQUEST_FILTER, service: 'api' })).toBe(true);
    expect(matchesRequestFilter(ok, { ...NO_REQUEST_FILTER, errorsOnly: true })).toBe(false);
    expect(matchesRequestFilter(bad, { ...NO_REQUEST_FILTER, errorsOnly: true })).toBe(true);
    expect(matchesRequestFilter(ok, { ...NO_REQUEST_FILTER, search: ' cart ' })).toBe(true);
    expect(matchesRequestFilter(ok, { ...NO_REQUEST_FILTER, search: 'WEB.local' })).toBe(true);
    expect(matchesRequestFilter(ok, { ...NO_REQUEST_FILTER, search: 'checkout' })).toBe(false);
  });

  it('gives equal filters the same key', () => {
    expect(requestFilterKey({ errorsOnly: false, search: ' x ' })).toBe(
      requestFilterKey({ service: undefined, errorsOnly: false, search: 'x' }),
    );
    expect(requestFilterKey({ service: 'api', errorsOnly: false, search: '' })).not.toBe(
      requestFilterKey(NO_REQUEST_FILTER),
    );
  });
});
