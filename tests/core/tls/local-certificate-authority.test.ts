// The local CA end to end: created once and reused, a real TLS server on loopback whose SNI contexts come
// from the CA, clients that trust only that CA (and one that does not), names it must refuse, shared
// minting, and the errors for a damaged CA folder.
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { TLSSocket, connect, createSecureContext, createServer, type SecureContext, type Server } from 'node:tls';
// before @peculiar/x509, as in the code under test
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DevMeshError } from '../../../shared/errors.js';
import { CaFolder } from '../../../main/core/tls/ca-folder.js';
import { CertificateFactory } from '../../../main/core/tls/certificate-factory.js';
import { LocalCertificateAuthority } from '../../../main/core/tls/local-certificate-authority.js';
import { SecureContextCache } from '../../../main/core/tls/secure-context-cache.js';

const tmpDirs: string[] = [];
function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'devmesh-ca-'));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

interface Handshake {
  authorized: boolean;
  error: string | null;
  san: string | undefined;
}

/** A tls.createServer on 127.0.0.1 that answers `ok` and closes; its certificates come from `sni`. */
async function listen(sni: (name: string) => Promise<SecureContext>): Promise<{ server: Server; port: number }> {
  const server = createServer(
    {
      SNICallback: (name, cb) =>
        void sni(name).then(
          (ctx) => cb(null, ctx),
          (err: Error) => cb(err),
        ),
    },
    (socket) => socket.end('ok'),
  );
  server.on('tlsClientError', () => {
    // expected in the refusal tests: the client or the SNI callback aborts the handshake
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

/**
 * tls.createServer takes its no-SNI certificate only as key/cert, not as a SecureContext: a server that
 * wants `defaultContext()` wraps plain sockets itself, as the proxy's HTTPS listener can.
 */
async function listenWithDefault(ca: LocalCertificateAuthority): Promise<{ server: NetServer; port: number }> {
  const server = createNetServer((raw) => {
    const socket = new TLSSocket(raw, {
      isServer: true,
      secureContext: ca.defaultContext(),
      SNICallback: (name, cb) =>
        void ca.secureContextFor(name).then(
          (ctx) => cb(null, ctx),
          (err: Error) => cb(err),
        ),
    });
    socket.on('error', () => socket.destroy());
    socket.on('secure', () => socket.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

function handshake(port: number, options: { servername?: string; ca?: string[] }): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ...options, timeout: 5000 });
    const done = (result: Handshake): void => {
      socket.destroy();
      resolve(result);
    };
    socket.once('secureConnect', () =>
      done({ authorized: socket.authorized, error: null, san: socket.getPeerCertificate().subjectaltname }),
    );
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done({ authorized: false, error: `${err.code ?? ''} ${err.message}`, san: undefined }),
    );
    socket.once('timeout', () => done({ authorized: false, error: 'timeout', san: undefined }));
  });
}

describe('LocalCertificateAuthority', () => {
  let home: string;
  let ca: LocalCertificateAuthority;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    home = tmp();
    ca = await LocalCertificateAuthority.open(LocalCertificateAuthority.folderIn(home));
    ({ server, port } = await listen((name) => ca.secureContextFor(name)));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('creates the CA once, key readable by the user only, and reuses it on later opens', async () => {
    const key = statSync(ca.keyPath);
    if (process.platform !== 'win32') expect(key.mode & 0o777).toBe(0o600);
    expect(ca.certPath).toBe(join(home, 'ca', 'ca.pem'));
    const first = ca.info();
    expect(first.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const again = await LocalCertificateAuthority.open(join(home, 'ca'));
    expect(again.info().fingerprint).toBe(first.fingerprint);
    expect(readFileSync(again.certPath, 'utf8')).toBe(ca.certPem);
  });

  it('is a name-constrained, 10-year CA named after the user and machine', () => {
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toMatch(/CN=DevMesh Local CA \(.+@.+\)/);
    const years = (new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()) / (365 * 24 * 3600 * 1000);
    expect(years).toBeGreaterThan(9.9);
    const parsed = new x509.X509Certificate(ca.certPem);
    const basic = parsed.getExtension(x509.BasicConstraintsExtension);
    expect(basic?.critical).toBe(true);
    const usage = parsed.getExtension(x509.KeyUsagesExtension);
    expect(usage?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    const nameConstraints = parsed.getExtension('2.5.29.30');
    expect(nameConstraints?.critical).toBe(true);
  });

  it('serves api.localhost to a client that trusts only the DevMesh CA', async () => {
    const result = await handshake(port, { servername: 'api.localhost', ca: [ca.certPem] });
    expect(result).toEqual({ authorized: true, error: null, san: 'DNS:api.localhost' });
  });

  it('serves two-level names (service.project.localhost), case-insensitively', async () => {
    const result = await handshake(port, { servername: 'API.Shop.localhost', ca: [ca.certPem] });
    expect(result.error).toBeNull();
    expect(result.san).toBe('DNS:api.shop.localhost');
    expect(await ca.secureContextFor('api.shop.localhost')).toBe(await ca.secureContextFor('API.SHOP.LOCALHOST'));
  });

  it('serves localhost and 127.0.0.1 to clients that send no SNI', async () => {
    const { server: raw, port: p } = await listenWithDefault(ca);
    try {
      const result = await handshake(p, { ca: [ca.certPem] }); // an IP host: Node sends no SNI
      expect(result.error).toBeNull();
      expect(result.san).toContain('DNS:localhost');
      expect(result.san).toContain('IP Address:127.0.0.1');
      expect((await handshake(p, { servername: 'web.localhost', ca: [ca.certPem] })).san).toBe('DNS:web.localhost');
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
    // tls.createServer ignores `secureContext`; it takes the default certificate as key/cert
    const plain = createServer(
      { ...ca.defaultCredentials(), SNICallback: (n, cb) => void ca.secureContextFor(n).then((c) => cb(null, c), cb) },
      (c) => c.end('ok'),
    );
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const result = await handshake((plain.address() as { port: number }).port, { ca: [ca.certPem] });
      expect(result.error).toBeNull();
      expect(result.san).toContain('IP Address:127.0.0.1');
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });

  it('is refused by a client that does not trust the DevMesh CA', async () => {
    const result = await handshake(port, { servername: 'api.localhost' });
    expect(result.authorized).toBe(false);
    expect(result.error).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/);
  });

  it('refuses names outside localhost, and the handshake for them fails', async () => {
    for (const bad of ['example.com', 'localhost.example.com', 'evil-localhost', 'a..localhost', '-x.localhost', '']) {
      await expect(ca.secureContextFor(bad)).rejects.toSatisfy(
        (err) => err instanceof DevMeshError && err.code === 'BAD_REQUEST' && /only localhost names/.test(err.message),
      );
    }
    const result = await handshake(port, { servername: 'example.com', ca: [ca.certPem] });
    expect(result.authorized).toBe(false);
    expect(result.error).not.toBeNull();
  });

  it('mints once for concurrent requests of the same name and keeps the cache bounded', async () => {
    const small = await LocalCertificateAuthority.open(join(home, 'ca'), { cacheSize: 2 });
    const contexts = await Promise.all(Array.from({ length: 20 }, () => small.secureContextFor('web.localhost')));
    expect(new Set(contexts).size).toBe(1);
    expect(small.mintCount).toBe(1);
    await small.secureContextFor('a.localhost');
    await small.secureContextFor('b.localhost'); // web.localhost, the least recently used, is dropped
    expect(small.mintCount).toBe(3);
    await small.secureContextFor('b.localhost');
    expect(small.mintCount).toBe(3);
    await small.secureContextFor('web.localhost');
    expect(small.mintCount).toBe(4);
  });

  it('mints again when a cached certificate nears its expiry, and retries a failed minting', async () => {
    let now = Date.now();
    const clocked = await LocalCertificateAuthority.open(join(home, 'ca'), { now: () => new Date(now) });
    const first = await clocked.secureContextFor('clock.localhost');
    now += 300 * 24 * 3600 * 1000;
    expect(await clocked.secureContextFor('clock.localhost')).toBe(first);
    now += 97 * 24 * 3600 * 1000; // within a day of the leaf's end
    expect(await clocked.secureContextFor('clock.localhost')).not.toBe(first);
    expect(clocked.mintCount).toBe(2);

    const cache = new SecureContextCache(10);
    let calls = 0;
    const flaky = (): Promise<{ context: SecureContext; notAfter: Date }> =>
      ++calls === 1
        ? Promise.reject(new Error('boom'))
        : Promise.resolve({ context: createSecureContext({}), notAfter: new Date(Date.now() + 1e10) });
    await expect(cache.get('x', flaky)).rejects.toThrow('boom');
    await expect(cache.get('x', flaky)).resolves.toBeDefined();
    expect(cache.mints).toBe(2);
  });

  it('leaf certificates are valid for at most 397 days and carry serverAuth', async () => {
    const { port: p, server: s } = await listen((name) => ca.secureContextFor(name));
    try {
      const cert = await new Promise<X509Certificate>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: p, servername: 'days.localhost', ca: [ca.certPem] }, () => {
          resolve(socket.getPeerX509Certificate()!);
          socket.destroy();
        });
        socket.once('error', reject);
      });
      const days = (new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()) / (24 * 3600 * 1000);
      expect(days).toBeLessThanOrEqual(397);
      expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
      expect(cert.ca).toBe(false);
    } finally {
      await new Promise((resolve) => s.close(resolve));
    }
  });

  it('name constraints stop a certificate for a real domain even when signed with the CA key', async () => {
    const pem = new CaFolder(join(home, 'ca')).load();
    const authority = await CertificateFactory.loadAuthority(pem);
    const leaf = await new CertificateFactory().createLeaf(authority, { dns: ['example.com'], ips: [] });
    const rogue = createSecureContext({ cert: `${leaf.certPem}\n${pem.certPem}`, key: leaf.keyPem });
    const { port: p, server: s } = await listen(() => Promise.resolve(rogue));
    try {
      const result = await handshake(p, { servername: 'example.com', ca: [ca.certPem] });
      expect(result.authorized).toBe(false);
      expect(result.error).toMatch(/permitted subtree violation/);
    } finally {
      await new Promise((resolve) => s.close(resolve));
    }
  });
});

describe('LocalCertificateAuthority with a damaged CA folder', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function openError(caDir: string): Promise<DevMeshError> {
    const err: unknown = await LocalCertificateAuthority.open(caDir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DevMeshError);
    return err as DevMeshError;
  }

  it('names the corrupt key file and says to delete the ca folder', async () => {
    dir = join(tmp(), 'ca');
    await LocalCertificateAuthority.open(dir);
    writeFileSync(join(dir, 'ca-key.pem'), '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n');
    const err = await openError(dir);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain(join(dir, 'ca-key.pem'));
    expect(err.message).toContain('is not a valid PEM private key');
    expect(err.message).toContain(`Delete the folder ${dir}`);
  });

  it('names a corrupt certificate file', async () => {
    dir = join(tmp(), 'ca');
    await LocalCertificateAuthority.open(dir);
    writeFileSync(join(dir, 'ca.pem'), 'garbage');
    const err = await openError(dir);
    expect(err.message).toContain(`${join(dir, 'ca.pem')} is not a valid PEM certificate`);
  });

  it('refuses a key that belongs to another CA', async () => {
    const parent = tmp();
    dir = join(parent, 'ca');
    await LocalCertificateAuthority.open(dir);
    await LocalCertificateAuthority.open(join(parent, 'other'));
    copyFileSync(join(parent, 'other', 'ca-key.pem'), join(dir, 'ca-key.pem'));
    const err = await openError(dir);
    expect(err.message).toContain(`${join(dir, 'ca-key.pem')} does not belong to the certificate`);
  });

  it('refuses a folder holding only one of the two files', async () => {
    dir = join(tmp(), 'ca');
    await LocalCertificateAuthority.open(dir);
    rmSync(join(dir, 'ca-key.pem'));
    const err = await openError(dir);
    expect(err.message).toContain(`${join(dir, 'ca-key.pem')} is missing`);
  });

  it('two opens racing on a fresh folder end with one CA', async () => {
    dir = join(tmp(), 'ca');
    const [a, b] = await Promise.all([LocalCertificateAuthority.open(dir), LocalCertificateAuthority.open(dir)]);
    expect(a.info().fingerprint).toBe(b.info().fingerprint);
  });
});
