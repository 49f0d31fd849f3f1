// The preload gives the page exactly the contract of shared/bridge.ts: one function per API method bound to
// its own channel, one stream helper per topic (onEvent, followLogs, followRequests, onTraffic), and nothing generic (no invoke, no send, no ipcRenderer).
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { contextBridge, ipcRenderer } from './fake-electron.js';
import { API_METHODS } from '../../shared/api.js';
import {
  BRIDGE_KEY,
  IPC_STREAM,
  IPC_SUBSCRIBE,
  IPC_TERMINAL_OPEN,
  IPC_TERMINAL_PORT,
  IPC_UNSUBSCRIBE,
  TERMINAL_PORT_MESSAGE,
  ipcCallChannel,
  type DevMeshBridge,
} from '../../shared/bridge.js';

let bridge: DevMeshBridge;

beforeAll(async () => {
  await import('../../preload/preload.js');
  bridge = contextBridge.exposed.get(BRIDGE_KEY);
});
beforeEach(() => {
  ipcRenderer.invoke.mockClear();
  ipcRenderer.invoke.mockImplementation(async () => ({ ok: true, value: null }));
});

describe('preload', () => {
  it(`exposes one bridge under window.${BRIDGE_KEY}`, () => {
    expect([...contextBridge.exposed.keys()]).toEqual([BRIDGE_KEY]);
  });

  it('exposes exactly one function per API method plus the stream helpers, and no generic invoke', () => {
    expect(Object.keys(bridge).sort()).toEqual(
      [...API_METHODS, 'followLogs', 'followRequests', 'onEvent', 'onTraffic', 'openTerminalStream'].sort(),
    );
    for (const method of ['proxy.info', 'proxy.routes', 'proxy.requests', 'proxy.traffic', 'ca.info'])
      expect(API_METHODS).toContain(method);
    for (const key of Object.keys(bridge))
      expect(typeof (bridge as Record<string, unknown>)[key], key).toBe('function');
    for (const generic of ['invoke', 'send', 'on', 'ipcRenderer', 'call']) expect(bridge).not.toHaveProperty(generic);
  });

  it('binds each method to its own fixed channel and passes only the input', async () => {
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: [] });
    await expect(bridge['services.list']({ project: 'shop' })).resolves.toEqual({ ok: true, value: [] });
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith(ipcCallChannel('services.list'), { project: 'shop' });
    // a page cannot redirect a method to another channel by passing extra arguments
    await (bridge['services.stop'] as (...a: unknown[]) => Promise<unknown>)(
      { name: 'web' },
      'devmesh:call:daemon.shutdown',
    );
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith(ipcCallChannel('services.stop'), { name: 'web' });
  });

  it('onEvent subscribes, dispatches stream items by subscription id, and unsubscribes', async () => {
    const seen: unknown[] = [];
    const stop = bridge.onEvent((e) => seen.push(e));
    const [channel, subId, topic] = ipcRenderer.invoke.mock.calls.at(-1)!;
    expect(channel).toBe(IPC_SUBSCRIBE);
    expect(topic).toBe('events');
    ipcRenderer.emit(IPC_STREAM, { sender: 'ignored' }, subId, { type: 'project.closed', ts: 1, projectId: 'shop' });
    ipcRenderer.emit(IPC_STREAM, {}, (subId as number) + 1000, { type: 'not mine' });
    expect(seen).toEqual([{ type: 'project.closed', ts: 1, projectId: 'shop' }]);
    stop();
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith(IPC_UNSUBSCRIBE, subId);
    ipcRenderer.emit(IPC_STREAM, {}, subId, { type: 'late' });
    expect(seen).toHaveLength(1);
  });

  it('followLogs passes its params and delivers lines to its own listener only', async () => {
    const a: unknown[] = [];
    const b: unknown[] = [];
    bridge.followLogs({ name: 'api' }, (l) => a.push(l.text));
    const subA = ipcRenderer.invoke.mock.calls.at(-1)![1];
    expect(ipcRenderer.invoke.mock.calls.at(-1)).toEqual([IPC_SUBSCRIBE, subA, 'logs', { name: 'api' }]);
    bridge.followLogs({ name: 'web' }, (l) => b.push(l.text));
    const subB = ipcRenderer.invoke.mock.calls.at(-1)![1];
    expect(subB).not.toBe(subA);
    ipcRenderer.emit(IPC_STREAM, {}, subB, { text: 'web line' });
    expect(a).toEqual([]);
    expect(b).toEqual(['web line']);
  });

  it('binds the proxy and CA methods to their own channels', async () => {
    for (const method of ['proxy.info', 'proxy.routes', 'proxy.requests', 'proxy.traffic', 'ca.info'] as const) {
      await (bridge[method] as (input: unknown) => Promise<unknown>)({});
      expect(ipcRenderer.invoke).toHaveBeenLastCalledWith(ipcCallChannel(method), {});
    }
  });

  it('followRequests and onTraffic open their topics with their params and deliver to their own listener', () => {
    const records: unknown[] = [];
    const snapshots: unknown[] = [];
    const stopRequests = bridge.followRequests({ project: 'shop', service: 'api' }, (r) => records.push(r.seq));
    const [, reqSub, reqTopic, reqParams] = ipcRenderer.invoke.mock.calls.at(-1)!;
    expect([reqTopic, reqParams]).toEqual(['requests', { project: 'shop', service: 'api' }]);
    bridge.onTraffic({ project: 'shop' }, (t) => snapshots.push(t.length));
    const [, trafficSub, trafficTopic, trafficParams] = ipcRenderer.invoke.mock.calls.at(-1)!;
    expect([trafficTopic, trafficParams]).toEqual(['traffic', { project: 'shop' }]);
    ipcRenderer.emit(IPC_STREAM, {}, reqSub, { seq: 7 });
    ipcRenderer.emit(IPC_STREAM, {}, trafficSub, [{ service: 'api' }, { service: 'web' }]);
    expect(records).toEqual([7]);
    expect(snapshots).toEqual([2]);
    stopRequests();
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith(IPC_UNSUBSCRIBE, reqSub);
    ipcRenderer.emit(IPC_STREAM, {}, reqSub, { seq: 8 });
    expect(records).toEqual([7]);
  });

  it('forgets a listener whose subscription the main process refused', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    ipcRenderer.invoke.mockResolvedValueOnce({
      ok: false,
      error: { code: 'SERVICE_NOT_FOUND', message: "no service 'x'" },
    });
    const seen: unknown[] = [];
    bridge.followLogs({ name: 'x' }, (l) => seen.push(l));
    const subId = ipcRenderer.invoke.mock.calls.at(-1)![1];
    await vi.waitFor(() => expect(errors).toHaveBeenCalled());
    ipcRenderer.emit(IPC_STREAM, {}, subId, { text: 'x' });
    expect(seen).toEqual([]);
    errors.mockRestore();
  });

  it('openTerminalStream asks main on its own channel, and forwards the port main sends to the page with window.postMessage', async () => {
    ipcRenderer.invoke.mockImplementationOnce(async (_channel, streamId) => ({ ok: true, value: { streamId } }));
    const result = await bridge.openTerminalStream('t-abc');
    const [channel, streamId, id] = ipcRenderer.invoke.mock.calls.at(-1)!;
    expect([channel, id]).toEqual([IPC_TERMINAL_OPEN, 't-abc']);
    expect(result).toEqual({ ok: true, value: { streamId } });
    const posted: Array<{ data: unknown; origin: string; transfer: unknown[] }> = [];
    const win = {
      postMessage: (data: unknown, origin: string, transfer: unknown[]) => posted.push({ data, origin, transfer }),
    };
    vi.stubGlobal('window', win);
    try {
      const port = { fake: 'port' };
      ipcRenderer.emit(IPC_TERMINAL_PORT, { ports: [port] }, { streamId });
      expect(posted).toEqual([{ data: { type: TERMINAL_PORT_MESSAGE, streamId }, origin: '*', transfer: [port] }]);
      // a message without a port or without a stream id is not forwarded
      ipcRenderer.emit(IPC_TERMINAL_PORT, { ports: [] }, { streamId });
      ipcRenderer.emit(IPC_TERMINAL_PORT, { ports: [port] }, { streamId: 'x' });
      expect(posted).toHaveLength(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
