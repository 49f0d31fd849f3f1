// Strict HTTP/1.1 on the fast path (RFC 9112): the shapes a lenient parser reads differently from the
// service behind it (bare CR, bare LF, whitespace after a chunk size, control characters in a field) are
// answered 400 with DevMesh's error body and the connection closes; a malformed chunk in a request body
// is answered the same way and the target connection the request went out on is ended too. Once a
// response has started, the client connection is closed instead. The target here is raw, to see exactly
// what reached it and when its connection ends.
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  closeServer,
  FakeRoutes,
  listen,
  rawExchange,
  request,
  startProxy,
  until,
  type Started,
} from './proxy-harness.js';

interface TargetConn {
  seen: string;
  closed: boolean;
}

describe('ProxyServer strict HTTP/1.1 framing', () => {
  let target: net.Server;
  let conns: TargetConn[];
  let p: Started;

  beforeEach(async () => {
    conns = [];
    target = net.createServer((s) => {
      const c: TargetConn = { seen: '', closed: false };
      conns.push(c);
      s.on('data', (d: Buffer) => {
        c.seen += d.toString('latin1');
        // /early answers at once, before the request body, with a response that has not ended.
        if (c.seen.startsWith('POST /early ') && !c.seen.includes('\0answered')) {
          c.seen += '\0answered';
          s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n');
        } else if (/^GET [^ ]+ HTTP\/1\.1\r\n[\s\S]*\r\n\r\n$/.test(c.seen)) {
          s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
          c.seen = '';
        }
      });
      s.on('close', () => (c.closed = true));
      s.on('error', () => s.destroy());
    });
    const port = await listen(target);
    p = await startProxy(new FakeRoutes().add({ project: 'p', service: 'api', port, state: 'healthy' }));
  });

  afterEach(async () => {
    await p.close();
    await closeServer(target);
  });

  /** The exchange must be a 400 with DevMesh's JSON error, the connection closed, and nothing routed. */
  async function refused(bytes: string, why: RegExp): Promise<void> {
    expect400(await rawExchange(p.port, bytes), why);
    // and the proxy serves the next client
    expect((await request(p.port, { path: '/next' })).body).toBe('ok');
  }

  function expect400(r: { text: string; closed: boolean }, why: RegExp): void {
    expect(r.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(r.text).toContain('Connection: close');
    const body = JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)) as {
      error: { status: number; code: string; message: string };
    };
    expect(body.error).toMatchObject({ status: 400, code: 'bad_request' });
    expect(body.error.message).toMatch(why);
    expect(r.closed).toBe(true);
  }

  const head = (fields: string) => `GET / HTTP/1.1\r\nHost: api.localhost\r\n${fields}\r\n`;

  it('refuses a bare LF ending a header line', async () => {
    await refused('GET / HTTP/1.1\r\nHost: api.localhost\n\r\n\r\n', /invalid header value/);
  });

  it('refuses a bare CR in a header line', async () => {
    await refused(head('X-A: b\r\r\n'), /invalid header value/);
  });

  it('refuses control characters in a header value (only HTAB, SP, VCHAR and obs-text pass)', async () => {
    for (const c of ['\x01', '\x08', '\x0b', '\x1f', '\x7f'])
      await refused(head(`X-A: a${c}b\r\n`), /invalid header value/);
    // obs-text and tabs are fine
    const ok = await rawExchange(p.port, head('X-A: caf\xe9\tx\r\n'), 2_000);
    expect(ok.text).toMatch(/^HTTP\/1\.1 200/);
  });

  it('refuses control characters in the request target', async () => {
    await refused('GET /a\x01b HTTP/1.1\r\nHost: api.localhost\r\n\r\n', /malformed request line/);
  });

  /** A chunked POST whose body is `body`, sent once the head reached the target: answered 400, and that
   * target connection is ended (it holds half a request). Sent with the head, it never reaches the target. */
  async function badBody(body: string, why: RegExp): Promise<void> {
    // a pooled target connection may carry it: any open one whose bytes start with this request
    const reaching = () => conns.find((c) => !c.closed && c.seen.startsWith('POST /up '));
    const s = net.connect(p.port, '127.0.0.1');
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.on('error', () => undefined);
    const closed = new Promise<void>((res) => s.on('close', () => res()));
    s.write('POST /up HTTP/1.1\r\nHost: api.localhost\r\nTransfer-Encoding: chunked\r\n\r\n');
    await until(() => reaching() !== undefined);
    const reached = reaching()!;
    s.write(body);
    await Promise.race([closed, new Promise((res) => setTimeout(res, 5_000))]);
    expect400({ text, closed: true }, why);
    await until(() => reached.closed);
    await refused(`POST /up HTTP/1.1\r\nHost: api.localhost\r\nTransfer-Encoding: chunked\r\n\r\n${body}`, why);
  }

  it('refuses a bare CR inside a chunk size (0\\r5 is not 5)', async () => {
    await badBody('0\r5\r\nhello\r\n0\r\n\r\n', /bare CR/);
  });

  it('refuses a chunk-size line ended by a bare LF', async () => {
    await badBody('5\nhello\r\n0\r\n\r\n', /bare LF/);
  });

  it('refuses chunk data not followed by CRLF', async () => {
    await badBody('5\r\nhello\n0\r\n\r\n', /CRLF after a chunk/);
  });

  it('refuses trailing whitespace after a chunk size', async () => {
    await badBody('5 \r\nhello\r\n0\r\n\r\n', /whitespace after the chunk size/);
    await badBody('5\t\r\nhello\r\n0\r\n\r\n', /whitespace after the chunk size/);
  });

  it('refuses a trailer line ended by a bare LF', async () => {
    await badBody('5\r\nhello\r\n0\r\nX-T: 1\n\r\n', /bare LF/);
  });

  it('answers 400 to a malformed chunk instead of dropping the connection silently', async () => {
    await badBody('zz\r\nhello\r\n0\r\n\r\n', /bad chunk size/);
  });

  it('closes the client and ends the target connection when a response had already started', async () => {
    const before = conns.length;
    const r = await rawExchange(
      p.port,
      'POST /early HTTP/1.1\r\nHost: api.localhost\r\nTransfer-Encoding: chunked\r\n\r\n',
      500,
    );
    expect(r.closed).toBe(false);
    const s = net.connect(p.port, '127.0.0.1');
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    const closed = new Promise<void>((res) => s.on('close', () => res()));
    s.on('error', () => undefined);
    s.write('POST /early HTTP/1.1\r\nHost: api.localhost\r\nTransfer-Encoding: chunked\r\n\r\n');
    await until(() => text.includes('first'));
    s.write('3\r\nabc\r\nzz\r\n');
    await closed;
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(text).not.toContain('400 Bad Request');
    const reached = conns.slice(before).filter((c) => c.seen.startsWith('POST /early '));
    await until(() => reached.every((c) => c.closed));
    expect((await request(p.port, { path: '/next' })).body).toBe('ok');
  });

  it('still accepts well-formed chunking: extensions (with BWS before ;), trailers, any split', async () => {
    const body = '5 ;a=1\r\nhello\r\n3;b="x y"\r\nabc\r\n0\r\nX-T: 1\r\n\r\n';
    const before = conns.length;
    const r = await rawExchange(
      p.port,
      `POST /fine HTTP/1.1\r\nHost: api.localhost\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
      500,
    );
    expect(r.text).not.toContain('400');
    const reached = conns.slice(before).find((c) => c.seen.startsWith('POST /fine '));
    await until(() => reached!.seen.endsWith(body));
  });
});
