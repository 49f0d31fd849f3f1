// The terminal stream end to end: a real core and API server, real PTYs, real WebSocket clients on
// /terminals/<id>/stream: the guard, the protocol (attached → replay → live → output → exit), bad frames,
// the terminals.* and recordings.* methods, the project's service URLs, and 50 MB through a slow consumer.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ApiServer } from '../../main/api/api-server.js';
import { DevMeshApi } from '../../main/api/devmesh-api.js';
import { DevMeshCore } from '../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import type { Result } from '../../shared/errors.js';
import { terminalStreamPath, type TerminalInfo, type TerminalServerMessage } from '../../shared/terminal.js';
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../shared/wire.js';
import { tempDir, writeProject } from './test-project.js';
import { request } from 'node:http';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-term-api-');
const home = new DevMeshHome(join(tmp.dir, 'home'));
let core: DevMeshCore;
let api: DevMeshApi;
let server: ApiServer;
let port: number;
let token: string;

class StreamClient {
  readonly control: TerminalServerMessage[] = [];
  output = '';
  replay = '';
  live = false;
  closed: { code: number; reason: string } | null = null;
  onOutput: (text: string) => void = () => {};

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buf = data as Buffer;
      if (isBinary) {
        const text = buf.toString('utf8');
        if (this.live) this.output += text;
        else this.replay += text;
        this.onOutput(text);
        return;
      }
      const msg = JSON.parse(buf.toString('utf8')) as TerminalServerMessage;
      if (msg.t === 'live') this.live = true;
      this.control.push(msg);
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static open(id: string): Promise<StreamClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(
        `ws://127.0.0.1:${port}${terminalStreamPath(id)}`,
        [WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`],
        { perMessageDeflate: false },
      );
      const client = new StreamClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  async until(check: (c: this) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this)) {
      if (Date.now() > deadline)
        throw new Error(
          `stream: timed out; control=${JSON.stringify(this.control).slice(0, 800)} output=${JSON.stringify(this.output.slice(-300))}`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** an upgrade request to `path` that reports the HTTP status (101 when accepted) */
function tryUpgrade(
  path: string,
  protocols: string[],
  headers: Record<string, string> = {},
): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Protocol': protocols.join(', '),
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function call<T>(method: string, input: unknown): Promise<T> {
  const r = (await api.call(method, input)) as Result<T>;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

beforeAll(async () => {
  const projectDir = join(tmp.dir, 'shop');
  mkdirSync(projectDir, { recursive: true });
  writeProject(projectDir, 'shop', { api: { autostart: false } });
  token = home.readOrCreateToken();
  core = await DevMeshCore.open({
    home,
    version: '0.0.0-test',
    logger: pino({ level: 'silent' }),
    projects: [projectDir],
  });
  api = new DevMeshApi(core, { face: 'daemon', apiUrl: () => server.apiUrl, requestShutdown: () => {} });
  server = new ApiServer({ api, token, port: 0, rendererDir: null, logger: pino({ level: 'silent' }) });
  ({ port } = await server.listen());
});

afterAll(async () => {
  await server?.close();
  await core?.dispose();
  tmp.dispose();
});

describe('terminal stream', () => {
  it('is guarded like the API: token, Origin and Host', async () => {
    const t = await call<TerminalInfo>('terminals.create', { command: '/bin/sleep', args: ['30'], record: false });
    const path = terminalStreamPath(t.id);
    expect((await tryUpgrade(path, [WIRE_PROTOCOL])).status).toBe(401);
    expect((await tryUpgrade(path, [WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${'0'.repeat(64)}`])).status).toBe(401);
    expect(
      (await tryUpgrade(path, [WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`], { Origin: 'http://evil.example' }))
        .status,
    ).toBe(403);
    expect(
      (await tryUpgrade(path, [WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`], { Host: `evil.example:${port}` }))
        .status,
    ).toBe(403);
    expect(
      (await tryUpgrade('/terminals/BAD_ID/stream', [WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`])).status,
    ).toBe(404);
    await call('terminals.kill', { id: t.id });
  });

  it('closes an unknown id with a clear reason', async () => {
    const c = await StreamClient.open('t-000000000000');
    await c.until((x) => x.closed !== null);
    expect(c.closed).toEqual({ code: 4404, reason: "no terminal 't-000000000000'" });
    expect(c.control[0]).toMatchObject({ t: 'error', code: 'TERMINAL_NOT_FOUND' });
  });

  it('speaks the protocol: attached, replay, live, output, input, resize, bad frames, exit', async () => {
    const t = await call<TerminalInfo>('terminals.create', {
      command: '/bin/bash',
      args: ['--norc', '--noprofile', '-i'],
      env: { PS1: 'P> ' },
      cwd: tmp.dir,
    });
    const first = await StreamClient.open(t.id);
    // the prompt may come before the view attaches (then it is in the replay) or after (live output)
    await first.until((c) => /P> $/.test(c.replay + c.output));
    first.send({ t: 'input', data: 'echo drawn-before\r' });
    await first.until((c) => /[\r\n]drawn-before\r\n/.test(c.output));
    first.ws.close();

    const c = await StreamClient.open(t.id);
    await c.until((x) => x.live);
    expect(c.control[0]).toMatchObject({ t: 'attached', info: { id: t.id, state: 'running' } });
    expect(c.control[1]).toEqual({ t: 'live' });
    expect(c.replay).toContain('drawn-before\r\n');
    c.send('{not json');
    c.send({ t: 'input', data: 42 });
    c.ws.send(Buffer.from('binary'), { binary: true });
    await c.until((x) => x.control.filter((m) => m.t === 'error').length === 3);
    c.send({ t: 'resize', cols: 120, rows: 33 });
    c.send({ t: 'ack', chars: c.replay.length });
    c.send({ t: 'input', data: 'stty size\r' });
    await c.until((x) => /[\r\n]33 120\r\n/.test(x.output));
    expect((await call<TerminalInfo[]>('terminals.list', {})).find((i) => i.id === t.id)).toMatchObject({
      cols: 120,
      rows: 33,
      viewers: 1,
    });
    c.send({ t: 'input', data: 'exit 7\r' });
    await c.until((x) => x.closed !== null);
    expect(c.control.at(-1)).toMatchObject({
      t: 'exit',
      info: { exitCode: 7, state: 'exited', exitReason: 'exited with code 7' },
    });
    expect(c.closed?.code).toBe(1000);

    const recs = await call<{ id: string; durationMs: number | null }[]>('recordings.list', {});
    expect(recs.find((r) => r.id === t.id)?.durationMs).not.toBeNull();
    const { cast } = await call<{ cast: string }>('recordings.read', { id: t.id });
    expect(JSON.parse(cast.split('\n')[0]!)).toMatchObject({ version: 2 });
    expect(await call('terminals.remove', { id: t.id })).toEqual({ removed: t.id });
    expect((await api.call('terminals.input', { id: t.id, data: 'x' })) as Result<unknown>).toMatchObject({
      ok: false,
      error: { code: 'TERMINAL_NOT_FOUND' },
    });
    expect((await api.call('terminals.create', { cols: 1 })) as Result<unknown>).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
  });

  it("gives a project's terminal its root and its services' URLs through the proxy", async () => {
    const t = await call<TerminalInfo>('terminals.create', {
      project: 'shop',
      command: '/bin/sh',
      args: ['-c', 'echo "url=$API_URL pwd=$(pwd)"'],
      record: false,
    });
    expect(t.project).toBe('shop');
    const c = await StreamClient.open(t.id);
    await c.until((x) => x.closed !== null);
    const proxyPort = new URL(core.proxyInfo().httpUrl!).port;
    expect(c.replay + c.output).toContain(`url=http://127.0.0.1:${proxyPort}/api.shop pwd=${join(tmp.dir, 'shop')}`);
  });

  it(
    'loses nothing of a 50 MB stream to a slow consumer, and flow control pauses the PTY',
    async () => {
      const t = await call<TerminalInfo>('terminals.create', {
        command: '/bin/sh',
        args: ['-c', 'sleep 0.3; head -c 50000000 /dev/zero | base64; sleep 0.3'],
        record: false,
      });
      // The trailing sleep: on Linux, output still unread in the PTY when the session leader exits is lost
      // with the hangup (measured: ~7-12 KB at the end of a flood, with or without DevMesh's flow control).
      const c = await StreamClient.open(t.id);
      const hash = createHash('sha256');
      let chars = 0;
      let sawPaused = false;
      c.onOutput = (text) => {
        hash.update(text);
        chars += text.length;
        // A slow renderer: acknowledges each frame a few milliseconds later.
        setTimeout(() => c.ws.readyState === c.ws.OPEN && c.send({ t: 'ack', chars: text.length }), 3);
        sawPaused ||= core.terminals.get(t.id).isPaused;
      };
      await c.until((x) => x.closed !== null, scaled(25_000));
      const expected = Buffer.alloc(50_000_000)
        .toString('base64')
        .replace(/.{76}/g, '$&\r\n')
        .replace(/([^\n])$/, '$1\r\n');
      expect(c.replay).toBe('');
      expect(chars).toBe(expected.length);
      expect(hash.digest('hex')).toBe(createHash('sha256').update(expected).digest('hex'));
      expect(sawPaused).toBe(true);
      expect(c.control.at(-1)).toMatchObject({ t: 'exit', info: { exitCode: 0 } });
    },
    scaled(40_000),
  );
});
