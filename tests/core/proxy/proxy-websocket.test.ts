// WebSocket upgrades pass through as a raw tunnel: echo both ways, and a close on either side closes
// the other. The session is logged once, when it ends.
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { closeServer, FakeRoutes, listen, startProxy, until, type Started } from './proxy-harness.js';

describe('ProxyServer WebSocket', () => {
  let target: http.Server;
  let wss: WebSocketServer;
  let serverSide: WebSocket[];
  let p: Started;

  beforeEach(async () => {
    serverSide = [];
    target = http.createServer((_req, res) => res.end('plain'));
    wss = new WebSocketServer({ server: target });
    wss.on('connection', (ws, req) => {
      serverSide.push(ws);
      ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `echo:${String(data)}`, { binary: isBinary }));
      ws.send(`hello ${String(req.headers['x-forwarded-for'])} ${req.url}`);
    });
    const port = await listen(target);
    p = await startProxy(new FakeRoutes().add({ project: 'p', service: 'api', port, state: 'healthy' }));
  });

  afterEach(async () => {
    await p.close();
    wss.close();
    await closeServer(target);
  });

  function open(path = '/socket'): Promise<{ ws: WebSocket; messages: string[] }> {
    const messages: string[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${p.port}${path}`, { headers: { host: 'api.localhost' } });
    ws.on('message', (d) => messages.push(String(d)));
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, messages }));
      ws.once('error', reject);
    });
  }

  it('echoes both ways, by host and by path', async () => {
    const { ws, messages } = await open('/socket?x=1');
    await until(() => messages.length === 1);
    expect(messages[0]).toBe('hello 127.0.0.1 /socket?x=1');
    ws.send('ping');
    const big = Buffer.alloc(256 * 1024, 7);
    ws.send(big);
    await until(() => messages.length === 3);
    expect(messages[1]).toBe('echo:ping');
    expect(messages[2]!.length).toBe(big.length);
    ws.close();
    await until(() => p.log.records.length === 1);
    expect(p.log.records[0]).toMatchObject({ status: 101, websocket: true, service: 'api', path: '/socket?x=1' });
    expect(p.log.records[0]!.bytesOut).toBeGreaterThan(big.length);
  });

  it('client close closes the target side', async () => {
    const { ws } = await open();
    await until(() => serverSide.length === 1);
    const closed = new Promise<number>((resolve) => serverSide[0]!.once('close', (code) => resolve(code)));
    ws.close(4001, 'bye');
    expect(await closed).toBe(4001);
  });

  it('target close closes the client side, also when the target just drops the TCP connection', async () => {
    const a = await open();
    await until(() => serverSide.length === 1);
    const closedA = new Promise<number>((resolve) => a.ws.once('close', (code) => resolve(code)));
    serverSide[0]!.close(4002, 'server says bye');
    expect(await closedA).toBe(4002);

    const b = await open();
    await until(() => serverSide.length === 2);
    const closedB = new Promise<void>((resolve) => b.ws.once('close', () => resolve()));
    serverSide[1]!.terminate();
    await closedB;
  });

  it('upgrades by path on localhost with the prefix stripped', async () => {
    const messages: string[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${p.port}/api/live`, { headers: { host: 'localhost' } });
    ws.on('message', (d) => messages.push(String(d)));
    await until(() => messages.length === 1);
    expect(messages[0]).toBe('hello 127.0.0.1 /live');
    ws.close();
  });
});
