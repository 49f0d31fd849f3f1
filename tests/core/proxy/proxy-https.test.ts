// The HTTPS listener: SNI picks the certificate from the TlsContextProvider, a client that trusts only
// that certificate connects, and the same engine forwards with X-Forwarded-Proto: https.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { webcrypto } from 'node:crypto';
// x509 needs a Reflect metadata API before it loads; the TLS domain ships a small one.
import '../../../main/core/tls/reflect-metadata-shim.js';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsContextProvider } from '../../../main/core/proxy/tls-context-provider.js';
import { closeServer, FakeRoutes, listen, startProxy, type Started } from './proxy-harness.js';

async function selfSigned(): Promise<{ cert: string; key: string }> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=api.localhost',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: alg,
    keys: keys as unknown as CryptoKeyPair,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'api.localhost' }, { type: 'dns', value: 'localhost' }])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem'), key };
}

describe('ProxyServer HTTPS', () => {
  let target: http.Server;
  let seen: http.IncomingHttpHeaders[];
  let p: Started;
  let cert: string;
  let sniAsked: string[];

  beforeAll(async () => {
    seen = [];
    sniAsked = [];
    const pair = await selfSigned();
    cert = pair.cert;
    const ctx = tls.createSecureContext(pair);
    const provider: TlsContextProvider = {
      certPath: '/dev/null',
      defaultContext: () => ctx,
      secureContextFor: (name) => {
        sniAsked.push(name);
        return name.endsWith('.localhost') && name !== 'evil.localhost' ? Promise.resolve(ctx) : Promise.reject(new Error(`not served: ${name}`));
      },
    };
    target = http.createServer((req, res) => {
      seen.push(req.headers);
      res.end(`secure ${req.url}`);
    });
    const port = await listen(target);
    p = await startProxy(new FakeRoutes().add({ project: 'p', service: 'api', port, state: 'healthy' }), { tls: provider });
  });

  afterAll(async () => {
    await p.proxy.close();
    await closeServer(target);
  });

  function get(servername: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: p.httpsPort!, path: '/tls', servername, ca: cert, headers: { host: 'api.localhost' }, agent: false }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
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

  it('fails the handshake for a name the provider refuses', async () => {
    await expect(get('evil.localhost')).rejects.toThrow();
    expect((await get('api.localhost')).status).toBe(200);
  });
});
