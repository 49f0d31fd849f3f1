// ApiConnection against a stand-in socket: the limits that are hard to reach over a real loopback socket
// (a client that stops reading) and the promise that a subscription dies with its socket.
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { ApiConnection, DEFAULT_CONNECTION_LIMITS } from '../../main/api/api-connection.js';
import { DevMeshApi } from '../../main/api/devmesh-api.js';
import type { DevMeshCore } from '../../main/core/devmesh-core.js';
import { EventBus } from '../../main/core/events/event-bus.js';
import type { DevMeshEvent } from '../../shared/events.js';

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: unknown[] = [];
  closedWith: { code: number; reason: string } | null = null;

  send(text: string, cb?: (err?: Error) => void): void {
    this.sent.push(JSON.parse(text));
    cb?.();
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.readyState = 2;
  }

  receive(value: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(value)), false);
  }
}

function setup() {
  const events = new EventBus();
  const core = { events } as unknown as DevMeshCore;
  const api = new DevMeshApi(core, { face: 'daemon', apiUrl: () => null, requestShutdown: () => undefined });
  const socket = new FakeSocket();
  const connection = new ApiConnection(socket as unknown as WebSocket, api, pino({ level: 'silent' }), {
    ...DEFAULT_CONNECTION_LIMITS,
    maxBufferedBytes: 1000,
  });
  const event: DevMeshEvent = { type: 'project.closed', ts: 1, projectId: 'p' };
  return { events, socket, connection, event };
}

describe('ApiConnection', () => {
  it('forwards events of a subscription as {type:event, sub, data}', () => {
    const { events, socket, event } = setup();
    socket.receive({ type: 'subscribe', id: 7, topic: 'events' });
    events.emit(event);
    expect(socket.sent).toEqual([
      { type: 'result', id: 7, ok: true, value: { sub: 7 } },
      { type: 'event', sub: 7, data: event },
    ]);
  });

  it('closes a client that stops reading with 1013 instead of buffering, and drops its subscriptions', () => {
    const { events, socket, connection, event } = setup();
    socket.receive({ type: 'subscribe', id: 1, topic: 'events' });
    socket.bufferedAmount = 5000;
    events.emit(event);
    expect(socket.closedWith?.code).toBe(1013);
    expect(socket.closedWith?.reason).toMatch(/too slow/);
    expect(connection.subscriptionCount).toBe(0);
    const sentBefore = socket.sent.length;
    events.emit(event);
    expect(socket.sent.length).toBe(sentBefore);
  });

  it('answers at most maxActiveCalls calls until their answers are written out; the rest wait in order', async () => {
    const { socket } = setup();
    const unflushed: Array<() => void> = [];
    socket.send = function (this: FakeSocket, text: string, cb?: (err?: Error) => void): void {
      this.sent.push(JSON.parse(text));
      if (cb) unflushed.push(() => cb()); // a reader that does not read: nothing reaches the kernel
    };
    for (let i = 0; i < 40; i++) socket.receive({ type: 'call', id: i, method: 'no.such.method' });
    await new Promise((r) => setTimeout(r, 50));
    expect(socket.sent).toHaveLength(DEFAULT_CONNECTION_LIMITS.maxActiveCalls);
    while (unflushed.length > 0) {
      unflushed.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect((socket.sent as Array<{ id: number }>).map((m) => m.id)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('releases every subscription when the socket closes', () => {
    const { events, socket, connection, event } = setup();
    socket.receive({ type: 'subscribe', id: 1, topic: 'events' });
    socket.receive({ type: 'subscribe', id: 2, topic: 'events' });
    expect(connection.subscriptionCount).toBe(2);
    socket.readyState = 3;
    socket.emit('close');
    expect(connection.subscriptionCount).toBe(0);
    const sentBefore = socket.sent.length;
    events.emit(event);
    expect(socket.sent.length).toBe(sentBefore);
  });

  it('survives any frame a client sends', () => {
    const { socket } = setup();
    const frames: unknown[] = [
      '',
      '{',
      'null',
      '1',
      '"x"',
      '[]',
      '{"type":null}',
      '{"type":"call","id":1e400}',
      '{"__proto__":{"type":"call"}}',
      '\u0000',
      '{"type":"subscribe","id":1,"topic":"events","params":[1]}',
    ];
    for (const f of frames) socket.emit('message', Buffer.from(String(f)), false);
    socket.emit('message', [Buffer.from('{"ty'), Buffer.from('pe":1}')], false);
    socket.emit('message', Buffer.from([0xff, 0xfe]), true);
    socket.emit('error', new Error('bad frame'));
    expect(socket.sent.length).toBe(frames.length + 2);
    for (const m of socket.sent as { type: string; ok: boolean }[]) expect(m.type).toBe('result');
  });
});
