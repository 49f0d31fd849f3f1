// Bodies stream through the proxy both ways without being buffered: 200 MB up and down with bounded
// memory growth, chunked framing both ways, backpressure from a slow reader.
import http from 'node:http';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeServer, FakeRoutes, listen, startProxy, type Started } from './proxy-harness.js';
import { scaled } from '../../helpers/load-scale.js';

const MB = 1024 * 1024;
const TOTAL = 200 * MB;

/** A stream of `total` bytes made on the fly from one reused 64 KB block. */
function generated(total: number): Readable {
  const block = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(block.length, total - sent);
      sent += n;
      this.push(n === block.length ? block : block.subarray(0, n));
    },
  });
}

/** Peak growth of heap + array buffers while `work` runs, sampled every 20 ms. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ value: T; growth: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage();
  const baseline = base.heapUsed + base.arrayBuffers;
  let peak = 0;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.heapUsed + m.arrayBuffers - baseline);
  }, 20);
  try {
    return { value: await work(), growth: peak };
  } finally {
    clearInterval(timer);
  }
}

describe('ProxyServer streaming', () => {
  let target: http.Server;
  let p: Started;

  beforeEach(async () => {
    target = http.createServer((req, res) => {
      if (req.url === '/download') {
        res.writeHead(200, { 'Content-Length': String(TOTAL) });
        generated(TOTAL).pipe(res);
        return;
      }
      if (req.url === '/chunked-echo') {
        res.writeHead(200, { 'Content-Type': 'text/plain' }); // no length: Node answers chunked
        req.pipe(res);
        return;
      }
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => res.end(String(n)));
    });
    const port = await listen(target);
    p = await startProxy(new FakeRoutes().add({ project: 'p', service: 'api', port, state: 'healthy' }));
  });

  afterEach(async () => {
    await p.close();
    await closeServer(target);
  });

  it(
    'streams a 200 MB upload with bounded memory',
    async () => {
      const { value, growth } = await peakGrowth(
        () =>
          new Promise<string>((resolve, reject) => {
            const req = http.request(
              {
                port: p.port,
                host: '127.0.0.1',
                method: 'POST',
                path: '/upload',
                headers: { host: 'api.localhost', 'content-length': String(TOTAL) },
              },
              (res) => {
                let body = '';
                res.on('data', (d: Buffer) => (body += d.toString()));
                res.on('end', () => resolve(body));
              },
            );
            req.on('error', reject);
            generated(TOTAL).pipe(req);
          }),
      );
      expect(value).toBe(String(TOTAL));
      expect(growth).toBeLessThan(64 * MB);
      expect(p.log.records[0]).toMatchObject({ bytesIn: TOTAL, status: 200 });
    },
    scaled(60_000),
  );

  it(
    'streams a 200 MB download with bounded memory',
    async () => {
      const { value, growth } = await peakGrowth(
        () =>
          new Promise<number>((resolve, reject) => {
            http
              .get(
                { port: p.port, host: '127.0.0.1', path: '/download', headers: { host: 'api.localhost' } },
                (res) => {
                  let n = 0;
                  res.on('data', (d: Buffer) => (n += d.length));
                  res.on('end', () => resolve(n));
                },
              )
              .on('error', reject);
          }),
      );
      expect(value).toBe(TOTAL);
      expect(growth).toBeLessThan(64 * MB);
      expect(p.log.records[0]!.bytesOut).toBeGreaterThan(TOTAL);
    },
    scaled(60_000),
  );

  it('passes chunked bodies both ways, keeping the connection usable', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let round = 0; round < 3; round++) {
      const body = await new Promise<string>((resolve, reject) => {
        const req = http.request(
          {
            port: p.port,
            host: '127.0.0.1',
            method: 'POST',
            path: '/chunked-echo',
            agent,
            headers: { host: 'api.localhost' },
          },
          (res) => {
            expect(res.headers['transfer-encoding']).toBe('chunked');
            let s = '';
            res.on('data', (d: Buffer) => (s += d.toString()));
            res.on('end', () => resolve(s));
          },
        );
        req.on('error', reject);
        // No Content-Length: Node sends the request body chunked.
        req.write('one,');
        setTimeout(() => req.end(`two,${round}`), 20);
      });
      expect(body).toBe(`one,two,${round}`);
    }
    agent.destroy();
    expect(p.log.records).toHaveLength(3);
  });
});
