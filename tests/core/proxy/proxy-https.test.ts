// The HTTPS listener with the real local CA: SNI picks the certificate, a client that trusts only
// the CA connects, and the same engine forwards with X-Forwarded-Proto: https.
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsContextProvider } from '../../../main/core/proxy/tls-context-provider.js';
import { LocalCertificateAuthority } from '../../../main/core/tls/local-certificate-authority.js';
import { closeServer, FakeRoutes, listen, startProxy, until, type Started } from './proxy-harness.js';

describe('ProxyServer HTTPS', () => {
  let target: http.Server;
  let seen: http.IncomingHttpHeaders[];
  let p: Started;
  let cert: string;
  let sniAsked: string[];
  let caDir: string;

  beforeAll(async () => {
    seen = [];
    sniAsked = [];
    caDir = mkdtempSync(join(tmpdir(), 'devmesh-proxy-ca-'));
    const ca = await LocalCertificateAuthority.open(join(caDir, 'ca'));
    cert = ca.certPem;
    const provider: TlsContextProvider = {
      certPath: ca.certPath,
      defaultContext: () => ca.defaultContext(),
      defaultCredentials: () => ca.defaultCredentials(),
      secureContextFor: (name) => {
        sniAsked.push(name);
        return ca.secureContextFor(name);
      },
    };
    target = http.createServer((req, res) => {
      seen.push(req.headers);
      res.end(`secure ${req.url}`);
    });
    const port = await listen(target);
    p = await startProxy(new FakeRoutes().add({ project: 'p', service: 'api', port, state: 'healthy' }), {
      tls: provider,
    });
  });

  afterAll(async () => {
    await p.close();
    await closeServer(target);
    rmSync(caDir, { recursive: true, force: true });
  });

  function get(servername: string | undefined): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      https
        .get(
          {
            host: '127.0.0.1',
            port: p.httpsPort!,
            path: '/tls',
            ...(servername ? { servername } : {}),
            ca: cert,
            headers: { host: 'api.localhost' },
            agent: false,
          },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        )
        .on('error', reject);
    });
  }

  it('serves a client that trusts only the given certificate, via SNI, with X-Forwarded-Proto https', async () => {
    expect(p.httpsPort).toBeGreaterThan(0);
    const r = await get('api.localhost');
    expect(r).toEqual({ status: 200, body: 'secure /tls' });
    expect(sniAsked).toContain('api.localhost');
    expect(seen[0]!['x-forwarded-proto']).toBe('https');
    expect(p.log.records[0]).toMatchObject({ tls: true, status: 200, service: 'api' });
  });

  it('fails the handshake for a name the CA refuses to sign', async () => {
    await expect(get('example.com')).rejects.toThrow();
    expect((await get('api.localhost')).status).toBe(200);
  });

  it('serves a client that sends no SNI (an IP address) with the localhost certificate', async () => {
    const r = await get(undefined);
    expect(r).toEqual({ status: 200, body: 'secure /tls' });
  });

  it('serves HTTP/2 clients (ALPN h2) through the http-proxy-3 slow path', async () => {
    const session = http2.connect(`https://api.localhost:${p.httpsPort}`, {
      ca: cert,
      host: '127.0.0.1',
      servername: 'api.localhost',
    });
    try {
      const { status, body, upstream } = await new Promise<{ status: number; body: string; upstream: unknown }>(
        (resolve, reject) => {
          const stream = session.request({ ':path': '/h2', ':method': 'GET', ':authority': 'api.localhost' });
          let status = 0;
          let upstream: unknown;
          let body = '';
          stream.on('response', (h) => {
            status = Number(h[':status']);
            upstream = h['x-devmesh-upstream'];
          });
          stream.on('data', (d: Buffer) => (body += d.toString()));
          stream.on('end', () => resolve({ status, body, upstream }));
          stream.on('error', reject);
          stream.end();
        },
      );
      expect(status).toBe(200);
      expect(body).toBe('secure /h2');
      expect(upstream).toBe('p/api');
      expect(seen.at(-1)!.host).toBe('api.localhost');
      expect(seen.at(-1)!['x-forwarded-proto']).toBe('https');
      await until(() => p.log.records.some((r) => r.path === '/h2'));
      expect(p.log.records.find((r) => r.path === '/h2')).toMatchObject({ status: 200, tls: true, service: 'api' });
    } finally {
      session.close();
    }
  });
});
