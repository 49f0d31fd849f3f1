// WsClient against a real WebSocketServer on loopback: the same frames the daemon speaks, including the
// ones it should never send.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { WsClient } from '../../../renderer/api/ws-client.js';
import type { ConnectionStatus } from '../../../renderer/api/devmesh-client.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { LogLine } from '../../../shared/service.js';
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, type ClientMessage } from '../../../shared/wire.js';
import { until } from '../../helpers/until.js';

const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

const daemonInfo = {
  version: '0.1.0',
  pid: 1,
  startedAt: 1,
  home: '/tmp/h',
  node: 'v22',
  face: 'daemon',
  apiUrl: null,
};
const event: DevMeshEvent = { type: 'project.config-error', ts: 1, projectId: 'shop', message: 'bad yaml' };
const logLine: LogLine = { seq: 7, project: 'shop', service: 'api', stream: 'stderr', ts: 1, text: 'boom' };

/** A loopback server speaking shared/wire.ts, recording every frame it receives. */
class FakeDaemon {
  readonly received: ClientMessage[] = [];
  readonly sockets: ServerSocket[] = [];
  readonly handshakes: string[][] = [];
  onMessage: (ws: ServerSocket, msg: ClientMessage) => void = (ws, msg) => this.defaultReply(ws, msg);
  private constructor(readonly wss: WebSocketServer) {
    wss.on('connection', (ws, req: IncomingMessage) => {
      this.handshakes.push(String(req.headers['sec-websocket-protocol'] ?? '').split(/,\s*/));
      this.sockets.push(ws);
      ws.on('message', (raw) => {
        const msg = JSON.parse(String(raw)) as ClientMessage;
        this.received.push(msg);
        this.onMessage(ws, msg);
      });
    });
  }

  static async start(port = 0): Promise<FakeDaemon> {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port,
      path: '/api',
      handleProtocols: (protocols) =>
        protocols.has(`${TOKEN_PROTOCOL_PREFIX}${TOKEN}`) && protocols.has(WIRE_PROTOCOL) ? WIRE_PROTOCOL : false,
    });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    return new FakeDaemon(wss);
  }

  get port(): number {
    return (this.wss.address() as AddressInfo).port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/api`;
  }

  send(frame: unknown, ws = this.sockets.at(-1)): void {
    ws?.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  subscriptions(topic: string): Extract<ClientMessage, { type: 'subscribe' }>[] {
    return this.received.filter(
      (m): m is Extract<ClientMessage, { type: 'subscribe' }> => m.type === 'subscribe' && m.topic === topic,
    );
  }

  dropClients(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async close(): Promise<void> {
    this.dropClients();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private defaultReply(ws: ServerSocket, msg: ClientMessage): void {
    if (msg.type === 'call' && msg.method === 'daemon.info')
      ws.send(JSON.stringify({ type: 'result', id: msg.id, ok: true, value: daemonInfo }));
    else if (msg.type === 'call' && msg.method === 'services.stop') {
      ws.send(
        JSON.stringify({
          type: 'result',
          id: msg.id,
          ok: false,
          error: { code: 'SERVICE_NOT_FOUND', message: "no service 'nope' in project shop; known: api, web" },
        }),
      );
    } else if (msg.type === 'call' && msg.method === 'projects.list')
      ws.send(JSON.stringify({ type: 'result', id: msg.id, ok: true, value: [{ id: 42 }] }));
    else if (msg.type === 'subscribe' || msg.type === 'unsubscribe')
      ws.send(JSON.stringify({ type: 'result', id: msg.id, ok: true, value: null }));
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: { backoff?: { initialMs: number; maxMs: number } } = {}) {
  const daemon = await FakeDaemon.start();
  const warnings: string[] = [];
  const statuses: ConnectionStatus[] = [];
  const client = new WsClient({
    url: daemon.url,
    token: () => TOKEN,
    backoff: options.backoff ?? { initialMs: 20, maxMs: 100 },
    warn: (m) => warnings.push(m),
  });
  client.onConnectionChange((s) => statuses.push(s));
  cleanups.push(
    () => daemon.close(),
    () => client.dispose(),
  );
  await until('the client to connect', () => client.status.state === 'open');
  return { daemon, client, warnings, statuses };
}

describe('WsClient', () => {
  it('authenticates with the wire and token subprotocols and resolves a call with the parsed output', async () => {
    const { daemon, client } = await setup();
    expect(daemon.handshakes[0]).toEqual([WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${TOKEN}`]);
    await expect(client.call('daemon.info', {})).resolves.toEqual(daemonInfo);
    expect(daemon.received[0]).toMatchObject({ type: 'call', method: 'daemon.info', input: {} });
  });

  it('rejects an ok:false result with a DevMeshError carrying the code and message', async () => {
    const { client } = await setup();
    const err = await client.call('services.stop', { name: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DevMeshError);
    expect(err).toMatchObject({
      code: 'SERVICE_NOT_FOUND',
      message: "no service 'nope' in project shop; known: api, web",
    });
  });

  it('rejects an answer whose value does not match the method output schema', async () => {
    const { client } = await setup();
    await expect(client.call('projects.list', {})).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('delivers subscription items to the right listener and stops after unsubscribe', async () => {
    const { daemon, client } = await setup();
    const events: DevMeshEvent[] = [];
    const lines: LogLine[] = [];
    const offEvents = client.onEvent((e) => events.push(e));
    client.followLogs({ project: 'shop', name: 'api' }, (l) => lines.push(l));
    const evSub = (await until('events subscribe', () => daemon.subscriptions('events')[0])).id;
    const logSub = await until('logs subscribe', () => daemon.subscriptions('logs')[0]);
    expect(logSub.params).toEqual({ project: 'shop', name: 'api' });

    daemon.send({ type: 'event', sub: evSub, data: event });
    daemon.send({ type: 'event', sub: logSub.id, data: logLine });
    await until('both items', () => events.length === 1 && lines.length === 1);
    expect(events[0]).toEqual(event);
    expect(lines[0]).toEqual(logLine);

    offEvents();
    await until('unsubscribe frame', () => daemon.received.find((m) => m.type === 'unsubscribe'));
    expect(daemon.received.find((m) => m.type === 'unsubscribe')).toEqual({ type: 'unsubscribe', id: evSub });
    daemon.send({ type: 'event', sub: evSub, data: event });
    daemon.send({ type: 'event', sub: logSub.id, data: { ...logLine, seq: 8 } });
    await until('the second line', () => lines.length === 2);
    expect(events).toHaveLength(1);
  });

  it('follows the requests and traffic topics, parsing each item with its schema', async () => {
    const { daemon, client, warnings } = await setup();
    const seqs: number[] = [];
    const snapshots: number[] = [];
    client.followRequests({ project: 'shop', service: 'api' }, (r) => seqs.push(r.seq));
    client.onTraffic({ project: 'shop' }, (t) => snapshots.push(t.length));
    const reqSub = await until('requests subscribe', () => daemon.subscriptions('requests')[0]);
    const trafficSub = await until('traffic subscribe', () => daemon.subscriptions('traffic')[0]);
    expect(reqSub.params).toEqual({ project: 'shop', service: 'api' });
    expect(trafficSub.params).toEqual({ project: 'shop' });
    const record = {
      seq: 3,
      ts: 1,
      method: 'GET',
      host: 'api.localhost',
      path: '/',
      status: 200,
      bytesIn: 0,
      bytesOut: 10,
      durationMs: 1.5,
      project: 'shop',
      service: 'api',
      upstream: '127.0.0.1:4001',
      error: null,
      tls: false,
      websocket: false,
      caller: null,
      instance: 'local/shop/api',
    };
    const counters = {
      project: 'shop',
      service: 'api',
      requests: 1,
      errors: 0,
      requestsPerSec: 0.1,
      errorsPerSec: 0,
      p50Ms: 1.5,
      p95Ms: 1.5,
    };
    daemon.send({ type: 'event', sub: reqSub.id, data: { ...record, status: 'ok' } });
    daemon.send({ type: 'event', sub: reqSub.id, data: record });
    daemon.send({ type: 'event', sub: trafficSub.id, data: [counters, counters] });
    await until('both items', () => seqs.length === 1 && snapshots.length === 1);
    expect(seqs).toEqual([3]);
    expect(snapshots).toEqual([2]);
    expect(warnings.some((w) => w.includes('malformed request record'))).toBe(true);
  });

  it('ignores malformed frames without crashing and keeps working', async () => {
    const { daemon, client, warnings } = await setup();
    const events: DevMeshEvent[] = [];
    client.onEvent((e) => events.push(e));
    const sub = (await until('subscribe', () => daemon.subscriptions('events')[0])).id;

    daemon.send('{not json');
    daemon.send({ type: 'surprise', id: 1 });
    daemon.send({ type: 'result', id: 'x', ok: true, value: 1 });
    daemon.send({ type: 'event', sub, data: { type: 'service.state', nonsense: true } });
    daemon.send({ type: 'result', id: 99_999, ok: true, value: 1 }); // an answer to nothing
    daemon.send({ type: 'event', sub: 12_345, data: event }); // an unknown subscription
    daemon.send(Buffer.from([1, 2, 3]));
    daemon.send({ type: 'event', sub, data: event });

    await until('the valid event', () => events.length === 1);
    expect(events).toEqual([event]);
    expect(warnings.length).toBeGreaterThanOrEqual(5);
    await expect(client.call('daemon.info', {})).resolves.toMatchObject({ pid: 1 });
    expect(client.status.state).toBe('open');
  });

  it('rejects calls in flight when the connection drops, and calls made while disconnected', async () => {
    const { daemon, client } = await setup({ backoff: { initialMs: 5000, maxMs: 5000 } });
    daemon.onMessage = () => {}; // never answers
    const pending = client.call('daemon.info', {});
    await until('the call to reach the daemon', () => daemon.received.length === 1);
    daemon.dropClients();
    await expect(pending).rejects.toMatchObject({ code: 'DAEMON_NOT_RUNNING' });
    await until('reconnecting', () => client.status.state === 'reconnecting');
    await expect(client.call('daemon.info', {})).rejects.toMatchObject({ code: 'DAEMON_NOT_RUNNING' });
  });

  it('reconnects after the daemon drops it and re-opens every subscription', async () => {
    const { daemon, client, statuses } = await setup();
    const events: DevMeshEvent[] = [];
    const lines: LogLine[] = [];
    client.onEvent((e) => events.push(e));
    client.followLogs({ project: 'shop', name: 'api' }, (l) => lines.push(l));
    await until(
      'first subscriptions',
      () => daemon.subscriptions('logs').length === 1 && daemon.subscriptions('events').length === 1,
    );

    const seen = statuses.length;
    daemon.dropClients();
    await until('the second connection', () => daemon.sockets.length === 2);
    await until(
      're-subscriptions',
      () => daemon.subscriptions('logs').length === 2 && daemon.subscriptions('events').length === 2,
    );
    const [ev2, log2] = [daemon.subscriptions('events')[1]!, daemon.subscriptions('logs')[1]!];
    expect(log2.params).toEqual({ project: 'shop', name: 'api' });
    expect(statuses.slice(seen).map((s) => s.state)).toEqual(['reconnecting', 'open']);

    daemon.send({ type: 'event', sub: ev2.id, data: event });
    daemon.send({ type: 'event', sub: log2.id, data: logLine });
    await until('items on the new socket', () => events.length === 1 && lines.length === 1);
    await expect(client.call('daemon.info', {})).resolves.toMatchObject({ pid: 1 });
  });

  it('keeps retrying a daemon that is down with backoff that grows and stays bounded, then connects', async () => {
    const probe = await FakeDaemon.start();
    const port = probe.port;
    await probe.close(); // a port where nothing listens, for now

    const statuses: ConnectionStatus[] = [];
    const client = new WsClient({
      url: `ws://127.0.0.1:${port}/api`,
      token: () => TOKEN,
      backoff: { initialMs: 10, maxMs: 40 },
      warn: () => {},
    });
    cleanups.push(() => client.dispose());
    client.onConnectionChange((s) => statuses.push(s));
    await until('five failed attempts', () => statuses.filter((s) => s.state === 'reconnecting').length >= 5);
    const delays = statuses.filter((s) => s.state === 'reconnecting').map((s) => s.retryInMs!);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(10);
      expect(d).toBeLessThanOrEqual(40);
    }
    expect(delays.at(-1)!).toBeGreaterThan(delays[0]!);

    const daemon = await FakeDaemon.start(port);
    cleanups.push(() => daemon.close());
    await until('the connection once the daemon is up', () => client.status.state === 'open');
    expect(client.status.attempt).toBe(0);
  });

  it('stops for good when disposed', async () => {
    const { daemon, client } = await setup();
    client.dispose();
    expect(client.status.state).toBe('closed');
    await new Promise((r) => setTimeout(r, 100));
    expect(daemon.sockets).toHaveLength(1);
    await expect(client.call('daemon.info', {})).rejects.toMatchObject({ code: 'DAEMON_NOT_RUNNING' });
  });
});
