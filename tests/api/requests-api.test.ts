// The proxy's request log through the API, as the Requests view reads it: a request to a host no project
// serves (answered 404 by the proxy, recorded with project null) is listed and streamed beside the
// project's own requests when the caller asks for unrouted ones, and never mixed into another project's.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../shared/proxy.js';
import { pageWithUnrouted } from '../../main/api/unrouted-request-page.js';
import { until } from '../helpers/until.js';
import { TestCore } from './test-core.js';

describe('proxy.requests and the requests topic with unrouted requests', () => {
  let t: TestCore;
  let proxyPort = 0;

  const viaProxy = (host: string, path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: proxyPort, path, headers: { host }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.setTimeout(10_000, () => req.destroy(new Error(`no answer from the proxy for ${host}${path}`)));
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    t = await TestCore.open({ prefix: 'devmesh-requests-api-', project: 'reqs' });
    proxyPort = Number(new URL(t.core.proxyInfo().httpUrl!).port);
  });

  afterAll(async () => {
    await t?.dispose();
  });

  it('lists and streams requests to unknown hosts with the project when asked, and only then', async () => {
    const streamed: RequestRecord[] = [];
    const plain: RequestRecord[] = [];
    const sub = t.api.subscribe('requests', { project: 'reqs', unrouted: true }, (r) =>
      streamed.push(r as RequestRecord),
    );
    const plainSub = t.api.subscribe('requests', { project: 'reqs' }, (r) => plain.push(r as RequestRecord));
    expect(sub.ok, JSON.stringify(sub)).toBe(true);
    expect(plainSub.ok).toBe(true);
    try {
      expect(await viaProxy('nowhere.localhost', '/lost')).toBe(404);
      // another project's request, through the production request log: never listed with this one
      t.core.requests.record({
        ts: Date.now(),
        method: 'GET',
        host: 'api.other.localhost',
        path: '/x',
        status: 200,
        bytesIn: 0,
        bytesOut: 10,
        durationMs: 1,
        project: 'other',
        service: 'api',
        upstream: '127.0.0.1:1',
        error: null,
        tls: false,
        websocket: false,
        caller: null,
        instance: null,
      });
      await until('the streamed unknown host', () => streamed.some((r) => r.host === 'nowhere.localhost'));
      expect(streamed.map((r) => r.host)).toEqual(['nowhere.localhost']);
      expect(streamed[0]).toMatchObject({ project: null, service: null, status: 404, path: '/lost' });
      expect(plain).toEqual([]);
    } finally {
      if (sub.ok) sub.value.dispose();
      if (plainSub.ok) plainSub.value.dispose();
    }

    const page = await t.call('proxy.requests', { project: 'reqs', unrouted: true });
    expect(page.requests.map((r) => r.host)).toEqual(['nowhere.localhost']);
    expect(page.hasMore).toBe(false);
    expect((await t.call('proxy.requests', { project: 'reqs' })).requests).toEqual([]);
    // a service filter names a service: requests that reached none do not match it
    expect((await t.call('proxy.requests', { project: 'reqs', service: 'api', unrouted: true })).requests).toEqual([]);
  });

  it('pages the project with its unrouted requests by seq, past other projects, limit by limit', async () => {
    const base = {
      method: 'GET',
      path: '/p',
      status: 404,
      bytesIn: 0,
      bytesOut: 10,
      durationMs: 1,
      upstream: null,
      error: null,
      tls: false,
      websocket: false,
      caller: null,
      instance: null,
    };
    const mine: number[] = [];
    for (let i = 0; i < 30; i++) {
      const project = i % 3 === 0 ? 'reqs' : i % 3 === 1 ? null : 'other';
      const r = t.core.requests.record({
        ...base,
        ts: Date.now(),
        host: `h${i}.localhost`,
        project,
        service: project ? 'api' : null,
      });
      if (project !== 'other') mine.push(r.seq);
    }
    const seen: number[] = [];
    let before: number | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await t.call('proxy.requests', {
        project: 'reqs',
        unrouted: true,
        limit: 4,
        ...(before ? { before } : {}),
      });
      expect(page.requests.length).toBeLessThanOrEqual(4);
      seen.unshift(...page.requests.map((r) => r.seq));
      if (!page.hasMore) break;
      before = page.requests[0]!.seq;
    }
    // the 20 of this test, and the unknown host of the first test
    expect(seen.slice(-mine.length)).toEqual(mine);
    expect(seen).toHaveLength(mine.length + 1);
  });

  it('reads the log page after page when other projects fill the pages it reads', () => {
    const base = {
      method: 'GET',
      path: '/q',
      status: 200,
      bytesIn: 0,
      bytesOut: 10,
      durationMs: 1,
      upstream: null,
      error: null,
      tls: false,
      websocket: false,
      caller: null,
      instance: null,
    };
    const mine: number[] = [];
    for (let i = 0; i < 12; i++) {
      const project = i === 1 ? 'reqs' : i === 9 ? null : 'other';
      const r = t.core.requests.record({
        ...base,
        ts: Date.now(),
        host: `q${i}.localhost`,
        project,
        service: project ? 'api' : null,
      });
      if (project !== 'other') mine.push(r.seq);
    }
    const reads: Array<number | undefined> = [];
    const log = {
      page: (q: Parameters<typeof t.core.requests.page>[0]) => (reads.push(q.before), t.core.requests.page(q)),
    };
    const page = pageWithUnrouted(log, { project: 'reqs', limit: 2 }, 3);
    expect(page.requests.map((r) => r.seq)).toEqual(mine);
    expect(page.hasMore).toBe(true); // the earlier tests' requests
    expect(reads.length).toBeGreaterThanOrEqual(4);
  });
});
