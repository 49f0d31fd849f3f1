// The loopback API server's HTTPS face end to end: a real core (its local CA's `localhost` certificate), the
// server on 127.0.0.1 with a second, TLS port, and clients that trust the CA the way a browser does after
// `devmesh ca trust`. The page and its assets come over HTTP/2 (ALPN h2) with the token, the WebSocket over
// HTTP/1.1 with the https Origin; a foreign Host or Origin is refused there as on plain HTTP; hostile bytes on
// the TLS port end that client only.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as h2connect, constants as h2 } from 'node:http2';
import { connect as netConnect, createServer, type AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import pino from 'pino';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiServer } from '../../main/api/api-server.js';
import { DevMeshApi } from '../../main/api/devmesh-api.js';
import { DevMeshCore } from '../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { DevMeshError } from '../../shared/errors.js';
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../shared/wire.js';
import { tempDir, writeProject } from './test-project.js';

const logger = pino({ level: 'silent' });
const tmp = tempDir('devmesh-api-https-');
const home = new DevMeshHome(join(tmp.dir, 'home'));
const rendererDir = join(tmp.dir, 'renderer');
let core: DevMeshCore;
let server: ApiServer;
let httpsPort: number;
let httpsUrl: string | null;
let token: string;
let ca: string;

const api = () => new DevMeshApi(core, { face: 'daemon', apiUrl: () => null, requestShutdown: () => undefined });

interface H2Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
  alpn: string | false | undefined;
}

/** GET `path` over HTTP/2, trusting the daemon's CA; `authority` is what the client names (a browser: the URL's). */
function viaH2(path: string, authority = `localhost:${httpsPort}`): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    // to 127.0.0.1 whatever the authority names, as a rebinding name resolves there
    const session = h2connect(`https://${authority}`, {
      createConnection: () =>
        tlsConnect({ host: '127.0.0.1', port: httpsPort, servername: 'localhost', ca, ALPNProtocols: ['h2'] }),
    });
    session.on('error', reject);
    const req = session.request({ ':path': path, ':authority': authority });
    let body = '';
    let headers: Record<string, unknown> = {};
    req.setEncoding('utf8');
    req.on('response', (h) => (headers = h));
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      const alpn = session.alpnProtocol;
      session.close();
      resolve({ status: Number(headers[h2.HTTP2_HEADER_STATUS]), headers, body, alpn });
    });
    req.on('error', reject);
  });
}

/** Opens the API WebSocket on the HTTPS port (HTTP/1.1, as Chromium does); resolves with the status it got. */
function wss(origin: string | undefined): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(
      `wss://localhost:${httpsPort}/api`,
      [WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`],
      { ca, ...(origin === undefined ? {} : { origin }), perMessageDeflate: false },
    );
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    socket.once('error', () => resolve(0));
  });
}

beforeAll(async () => {
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(
    join(rendererDir, 'index.html'),
    '<!doctype html><html><head><meta name="devmesh-token" content=""><script type="module" src="/assets/app.js"></script></head><body></body></html>',
  );
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
  const projectDir = join(tmp.dir, 'tiny');
  mkdirSync(projectDir, { recursive: true });
  writeProject(projectDir, 'tiny', { api: { version: '1.2.3', autostart: false } });
  token = home.readOrCreateToken();
  core = await DevMeshCore.open({ home, version: '0.0.0-test', logger, projects: [projectDir] });
  ca = readFileSync(core.ca.certPath, 'utf8');
  server = new ApiServer({
    api: api(),
    token,
    port: 0,
    rendererDir,
    logger,
    https: { port: 0, credentials: () => core.ca.defaultCredentials() },
  });
  ({ httpsUrl } = await server.listen());
  httpsPort = Number(new URL(httpsUrl!).port);
});

afterAll(async () => {
  await server?.close();
  await core?.dispose();
  tmp.dispose();
});

describe('the UI over HTTPS', () => {
  it('serves the page with its token and its assets over HTTP/2, with the security headers', async () => {
    expect(httpsUrl).toBe(`https://localhost:${httpsPort}/`);
    const page = await viaH2('/');
    expect(page.alpn).toBe('h2');
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<meta name="devmesh-token" content="${token}">`);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['cache-control']).toBe('no-store');
    const asset = await viaH2('/assets/app.js');
    expect([asset.status, asset.body]).toEqual([200, 'console.log("app")']);
    expect((await viaH2('/healthz', `127.0.0.1:${httpsPort}`)).body).toBe('{"ok":true}');
  });

  it('refuses a foreign name (DNS rebinding) with 403 and never shows the token', async () => {
    for (const authority of [`evil.example:${httpsPort}`, 'localhost:1', `localhost.evil.example:${httpsPort}`]) {
      const res = await viaH2('/', authority);
      expect(res.status).toBe(403);
      expect(res.body).not.toContain(token);
    }
  });

  it('serves HTTP/1.1 clients too', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: httpsPort,
          path: '/',
          servername: 'localhost',
          ca,
          headers: { host: `localhost:${httpsPort}` },
        },
        (r) => {
          let body = '';
          r.on('data', (d: Buffer) => (body += d.toString()));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(200);
    expect(res.body).toContain(token);
  });

  it('opens the API WebSocket for its own https page, and refuses other origins', async () => {
    expect(await wss(`https://localhost:${httpsPort}`)).toBe(101);
    expect(await wss(undefined)).toBe(101); // the CLI sends no Origin
    expect(await wss('https://evil.example')).toBe(403);
    // the plain-HTTP page's origin is its own port's, not this one's
    expect(await wss(`http://localhost:${httpsPort}`)).toBe(403);
  });

  it('ends a client that sends plain HTTP or garbage to the TLS port, and keeps answering', async () => {
    for (const bytes of [`GET / HTTP/1.1\r\nHost: localhost:${httpsPort}\r\n\r\n`, Buffer.alloc(4096, 0x16)]) {
      const answer = await new Promise<string>((resolve) => {
        const socket = netConnect(httpsPort, '127.0.0.1', () => socket.end(bytes));
        let got = '';
        socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
        socket.on('close', () => resolve(got));
        socket.on('error', () => undefined);
      });
      expect(answer).not.toContain(token);
    }
    expect((await viaH2('/healthz')).status).toBe(200);
  });

  it('reports a busy HTTPS port as PORT_BUSY naming it and --https-port, holding no port after', async () => {
    const second = new ApiServer({
      api: api(),
      token,
      port: 0,
      rendererDir: null,
      logger,
      https: { port: httpsPort, credentials: () => core.ca.defaultCredentials() },
    });
    const err = await second.listen().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DevMeshError);
    expect((err as DevMeshError).code).toBe('PORT_BUSY');
    expect((err as DevMeshError).message).toContain(String(httpsPort));
    expect((err as DevMeshError).message).toContain('--https-port');
    await second.close();
  });

  it('frees the HTTPS port when it closes', async () => {
    const other = new ApiServer({
      api: api(),
      token,
      port: 0,
      rendererDir: null,
      logger,
      https: { port: 0, credentials: () => core.ca.defaultCredentials() },
    });
    const { httpsUrl: url } = await other.listen();
    const otherPort = Number(new URL(url!).port);
    await other.close();
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(otherPort, '127.0.0.1', resolve);
    });
    expect((probe.address() as AddressInfo).port).toBe(otherPort);
    await new Promise<void>((r) => probe.close(() => r()));
  });
});
