// The one devmesh.v1 client against a fake transport: correlation, timeouts, output validation,
// subscriptions across reconnections, and what a lost connection does to the calls in flight.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiMethods } from '../../shared/api.js';
import { DevMeshError } from '../../shared/errors.js';
import { DevMeshEventSchema, type DevMeshEvent } from '../../shared/events.js';
import {
  ProtocolClient,
  type ConnectionLoss,
  type ConnectionStatus,
  type FrameConnection,
  type FrameHandlers,
  type ProtocolMessages,
  type ReconnectPolicy,
} from '../../shared/protocol-client.js';
import { ServerMessageSchema, type ClientMessage } from '../../shared/wire.js';

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

/** One connection of the fake transport: records what the client sends, lets the test answer. */
class FakeConnection implements FrameConnection {
  readonly sent: ClientMessage[] = [];
  handlers: FrameHandlers | null = null;
  closedByClient = false;

  send(frame: string): void {
    this.sent.push(JSON.parse(frame) as ClientMessage);
  }

  attach(handlers: FrameHandlers): void {
    this.handlers = handlers;
  }

  close(): Promise<void> {
    this.closedByClient = true;
    return Promise.resolve();
  }

  reply(id: number, value: unknown): void {
    this.handlers?.frame(JSON.stringify({ type: 'result', id, ok: true, value }));
  }

  refuse(id: number, code: string, message: string): void {
    this.handlers?.frame(JSON.stringify({ type: 'result', id, ok: false, error: { code, message } }));
  }

  emit(sub: number, data: unknown): void {
    this.handlers?.frame(JSON.stringify({ type: 'event', sub, data }));
  }

  lose(loss: ConnectionLoss = { code: 1006, reason: 'socket hang up', failed: true }): void {
    this.handlers?.closed(loss);
  }

  last(type: ClientMessage['type']): ClientMessage {
    const found = this.sent.filter((m) => m.type === type).at(-1);
    if (!found) throw new Error(`no ${type} frame sent`);
    return found;
  }
}

const messages: ProtocolMessages = {
  timeout: (what, ms) => new DevMeshError('TIMEOUT', `${what}: no answer within ${ms} ms`),
  lost: (what, loss) =>
    new DevMeshError('DAEMON_NOT_RUNNING', `${what ?? 'the client'}: lost the connection (${loss.code})`),
  notConnected: (what, state) => new DevMeshError('DAEMON_NOT_RUNNING', `${what}: not connected (${state})`),
  invalidOutput: (method, issue) => new DevMeshError('INTERNAL', `${method}: unexpected answer (${issue})`),
  protocolError: () => null,
  stopped: (what) => new DevMeshError('DAEMON_NOT_RUNNING', `${what ?? 'the client'}: closed`),
};

function setup(reconnect: ReconnectPolicy = { kind: 'never' }) {
  const connections: FakeConnection[] = [];
  const warnings: string[] = [];
  const statuses: ConnectionStatus[] = [];
  let refuse: DevMeshError | null = null;
  const client = new ProtocolClient({
    connector: () => {
      if (refuse) return Promise.reject(refuse);
      const connection = new FakeConnection();
      connections.push(connection);
      return Promise.resolve(connection);
    },
    reconnect,
    messages,
    schemas: {
      serverMessage: ServerMessageSchema,
      output: (method) => apiMethods[method].output,
      topicItem: (topic) => (topic === 'events' ? DevMeshEventSchema : null),
    },
    callTimeoutMs: 1_000,
    warn: (m) => warnings.push(m),
    random: () => 0.5,
  });
  client.onDidChangeStatus((s) => statuses.push(s));
  const refuseConnections = (err: DevMeshError | null): void => {
    refuse = err;
  };
  return { client, connections, warnings, statuses, refuseConnections };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ProtocolClient', () => {
  it('matches answers to calls by id, whatever their order', async () => {
    const { client, connections } = setup();
    await client.connect();
    const conn = connections[0]!;
    const info = client.call('daemon.info', {});
    const projects = client.call('projects.list', {});
    const [infoId, projectsId] = conn.sent.map((m) => m.id);
    conn.reply(projectsId!, []);
    conn.reply(infoId!, daemonInfo);
    await expect(info).resolves.toEqual(daemonInfo);
    await expect(projects).resolves.toEqual([]);
  });

  it('rejects an ok:false answer with the daemon’s code and message', async () => {
    const { client, connections } = setup();
    await client.connect();
    const stop = client.call('services.stop', { name: 'nope' });
    connections[0]!.refuse(connections[0]!.sent[0]!.id, 'SERVICE_NOT_FOUND', "no service 'nope'");
    await expect(stop).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND', message: "no service 'nope'" });
  });

  it('times out a call the daemon never answers, and ignores the late answer', async () => {
    vi.useFakeTimers();
    const { client, connections } = setup();
    await client.connect();
    const call = client.call('daemon.info', {}, { timeoutMs: 500 });
    const outcome = call.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    expect(await outcome).toMatchObject({ code: 'TIMEOUT', message: 'daemon.info: no answer within 500 ms' });
    connections[0]!.reply(connections[0]!.sent[0]!.id, daemonInfo);
    const next = client.call('daemon.info', {});
    connections[0]!.reply(connections[0]!.sent[1]!.id, daemonInfo);
    await expect(next).resolves.toEqual(daemonInfo);
  });

  it('rejects an answer that does not match the method’s output schema', async () => {
    const { client, connections } = setup();
    await client.connect();
    const call = client.call('projects.list', {});
    connections[0]!.reply(connections[0]!.sent[0]!.id, [{ id: 42 }]);
    await expect(call).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('projects.list: unexpected answer'),
    });
  });

  it('rejects every pending call with a DevMeshError when the transport closes mid-call', async () => {
    const { client, connections, statuses } = setup();
    await client.connect();
    const closed: DevMeshError[] = [];
    client.onDidClose((err) => closed.push(err));
    const calls = [client.call('daemon.info', {}), client.call('projects.list', {}), client.call('daemon.info', {})];
    const outcomes = Promise.all(calls.map((c) => c.catch((e: unknown) => e)));
    connections[0]!.lose();
    for (const err of await outcomes) {
      expect(err).toBeInstanceOf(DevMeshError);
      expect(err).toMatchObject({
        code: 'DAEMON_NOT_RUNNING',
        message: expect.stringContaining('lost the connection (1006)'),
      });
    }
    expect(closed).toHaveLength(1);
    expect(statuses.at(-1)?.state).toBe('closed');
    // the `never` policy: the client stays closed, and says so
    await expect(client.call('daemon.info', {})).rejects.toMatchObject({
      message: 'the client: lost the connection (1006)',
    });
  });

  it('filters stream items through the topic’s schema and stops on dispose', async () => {
    const { client, connections, warnings } = setup();
    await client.connect();
    const conn = connections[0]!;
    const items: unknown[] = [];
    const sub = client.subscribe('events', {}, (item) => items.push(item));
    const id = conn.last('subscribe').id;
    conn.reply(id, null);
    await sub.ready;
    conn.emit(id, { type: 'service.state', nonsense: true });
    conn.emit(id, event);
    expect(items).toEqual([event]);
    expect(warnings.some((w) => w.includes('malformed event'))).toBe(true);
    sub.dispose();
    await vi.waitFor(() => expect(conn.last('unsubscribe')).toEqual({ type: 'unsubscribe', id }));
    conn.emit(id, event);
    expect(items).toHaveLength(1);
  });

  it('reconnects with backoff and re-opens every subscription on the new connection', async () => {
    vi.useFakeTimers();
    const { client, connections, statuses } = setup({ kind: 'backoff', initialMs: 100, maxMs: 1_000 });
    await client.connect();
    const items: unknown[] = [];
    client.subscribe('events', {}, (item) => items.push(item));
    client.subscribe('logs', { project: 'shop', name: 'api' }, () => undefined);
    const pending = client.call('daemon.info', {}).catch((e: unknown) => e);
    connections[0]!.lose({ code: 1001, reason: 'going away' });
    expect(await pending).toMatchObject({ code: 'DAEMON_NOT_RUNNING' });
    expect(client.status).toMatchObject({ state: 'reconnecting', attempt: 1, retryInMs: 100 });
    await expect(client.call('daemon.info', {})).rejects.toMatchObject({
      message: 'daemon.info: not connected (reconnecting)',
    });

    await vi.advanceTimersByTimeAsync(100);
    const second = connections[1]!;
    expect(second.sent.map((m) => m.type === 'subscribe' && m.topic)).toEqual(['events', 'logs']);
    expect(statuses.slice(-2).map((s) => s.state)).toEqual(['reconnecting', 'open']);
    const eventsId = second.sent[0]!.id;
    second.reply(eventsId, null);
    second.emit(eventsId, event);
    expect(items).toEqual([event]);
  });

  it('grows the backoff while the daemon stays down, within its bounds', async () => {
    vi.useFakeTimers();
    const { client, connections, refuseConnections, statuses } = setup({ kind: 'backoff', initialMs: 100, maxMs: 400 });
    await client.connect();
    refuseConnections(new DevMeshError('DAEMON_NOT_RUNNING', 'refused'));
    connections[0]!.lose();
    await vi.advanceTimersByTimeAsync(100 + 200 + 400 + 400);
    const delays = statuses.filter((s) => s.state === 'reconnecting').map((s) => s.retryInMs);
    expect(delays).toEqual([100, 180, 360, 360, 360]);
    refuseConnections(null);
    await vi.advanceTimersByTimeAsync(400);
    expect(client.status).toEqual({ state: 'open', attempt: 0, retryInMs: null });
  });

  it('opens a connection on demand for a call once the previous one is lost', async () => {
    const { client, connections } = setup({ kind: 'on-demand' });
    const first = client.call('daemon.info', {});
    await vi.waitFor(() => expect(connections[0]?.sent).toHaveLength(1));
    connections[0]!.reply(connections[0]!.sent[0]!.id, daemonInfo);
    await expect(first).resolves.toEqual(daemonInfo);
    connections[0]!.lose();
    expect(client.status.state).toBe('closed');
    const second = client.call('daemon.info', {});
    await vi.waitFor(() => expect(connections[1]?.sent).toHaveLength(1));
    connections[1]!.reply(connections[1]!.sent[0]!.id, daemonInfo);
    await expect(second).resolves.toEqual(daemonInfo);
  });

  it('rejects a subscription the daemon refuses, and does not re-open it', async () => {
    const { client, connections, warnings } = setup({ kind: 'backoff', initialMs: 10, maxMs: 10 });
    await client.connect();
    const sub = client.subscribe('logs', { project: 'shop', name: 'nope' }, () => undefined);
    connections[0]!.refuse(connections[0]!.last('subscribe').id, 'SERVICE_NOT_FOUND', "no service 'nope'");
    await expect(sub.ready).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND' });
    expect(warnings).toContain("subscription to 'logs' refused: no service 'nope'");
  });

  it('waits for the subscribe’s answer before unsubscribing with the same id', async () => {
    const { client, connections } = setup();
    await client.connect();
    const conn = connections[0]!;
    const sub = client.subscribe('events', {}, () => undefined);
    const closed = sub.close();
    expect(conn.sent.map((m) => m.type)).toEqual(['subscribe']);
    conn.reply(conn.sent[0]!.id, null);
    await vi.waitFor(() => expect(conn.sent.map((m) => m.type)).toEqual(['subscribe', 'unsubscribe']));
    conn.reply(conn.sent[1]!.id, null);
    await expect(closed).resolves.toBeUndefined();
  });

  it('refuses a request larger than the daemon accepts without losing the connection', async () => {
    const { client, connections } = setup();
    await client.connect();
    const huge = 'x'.repeat(1024 * 1024 + 1);
    await expect(client.call('services.stop', { name: huge })).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    expect(connections[0]!.sent).toHaveLength(0);
    expect(client.status.state).toBe('open');
  });

  it('fails pending calls and stops reconnecting once closed', async () => {
    vi.useFakeTimers();
    const { client, connections } = setup({ kind: 'backoff', initialMs: 10, maxMs: 10 });
    await client.connect();
    const pending = client.call('daemon.info', {}).catch((e: unknown) => e);
    await client.close();
    expect(await pending).toMatchObject({ code: 'DAEMON_NOT_RUNNING' });
    expect(connections[0]!.closedByClient).toBe(true);
    expect(client.status.state).toBe('closed');
    await vi.advanceTimersByTimeAsync(100);
    expect(connections).toHaveLength(1);
    await expect(client.call('daemon.info', {})).rejects.toMatchObject({ message: 'daemon.info: closed' });
  });
});
