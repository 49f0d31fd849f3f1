// IpcClient over a stand-in for the preload bridge: results become values or DevMeshErrors, streams are
// released on dispose.
import { describe, expect, it, vi } from 'vitest';
import type { DevMeshBridge } from '../../../shared/bridge.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import { IpcClient } from '../../../renderer/api/ipc-client.js';

function fakeBridge() {
  const open = new Set<string>();
  const emitters: ((e: DevMeshEvent) => void)[] = [];
  const bridge = {
    'projects.list': async () => ({ ok: true, value: [] }),
    'services.stop': async () => ({
      ok: false,
      error: { code: 'SERVICE_NOT_FOUND', message: "no service 'x' in project shop" },
    }),
    'daemon.info': async () => {
      throw new Error('No handler registered for devmesh:call:daemon.info');
    },
    onEvent: (listener: (e: DevMeshEvent) => void) => {
      open.add('events');
      emitters.push(listener);
      return () => open.delete('events');
    },
    followLogs: () => {
      open.add('logs');
      return () => open.delete('logs');
    },
  } as unknown as DevMeshBridge;
  return { bridge, open, emitters };
}

describe('IpcClient', () => {
  it('returns the value of an ok result and throws a DevMeshError with the code and message otherwise', async () => {
    const client = new IpcClient(fakeBridge().bridge);
    await expect(client.call('projects.list', {})).resolves.toEqual([]);
    const err = await client.call('services.stop', { name: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DevMeshError);
    expect(err).toMatchObject({ code: 'SERVICE_NOT_FOUND', message: "no service 'x' in project shop" });
    await expect(client.call('daemon.info', {})).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('No handler registered'),
    });
    await expect(client.call('logs.page', { name: 'x' })).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
  });

  // Like the WebSocket client (shared/protocol-client.ts): one answer check whatever the transport.
  it('rejects an answer that does not match the method’s output schema, as the WebSocket client does', async () => {
    const bridge = {
      ...fakeBridge().bridge,
      'projects.list': async () => ({ ok: true, value: [{ id: 42 }] }),
    } as unknown as DevMeshBridge;
    const client = new IpcClient(bridge);
    await expect(client.call('projects.list', {})).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining("'projects.list'"),
    });
  });

  it('times out a call the main process never answers, as the WebSocket client does', async () => {
    vi.useFakeTimers();
    try {
      const bridge = {
        ...fakeBridge().bridge,
        'projects.list': () => new Promise(() => {}),
      } as unknown as DevMeshBridge;
      const client = new IpcClient(bridge, { callTimeoutMs: 5_000 });
      const outcome = client.call('projects.list', {}).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(await outcome).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining("'projects.list'") });
    } finally {
      vi.useRealTimers();
    }
  });

  it('is always connected, passes events through, and releases its streams on dispose', () => {
    const { bridge, open, emitters } = fakeBridge();
    const client = new IpcClient(bridge);
    expect(client.status.state).toBe('open');
    const seen: DevMeshEvent[] = [];
    client.onEvent((e) => seen.push(e));
    const stopLogs = client.followLogs({ name: 'api' }, () => {});
    emitters[0]!({ type: 'project.closed', ts: 1, projectId: 'shop' });
    expect(seen).toHaveLength(1);
    stopLogs();
    expect([...open]).toEqual(['events']);
    client.dispose();
    expect(open.size).toBe(0);
  });

  it('passes the proxy streams through, and survives a preload without them', () => {
    const { bridge, open } = fakeBridge();
    const withProxy = {
      ...bridge,
      followRequests: () => {
        open.add('requests');
        return () => open.delete('requests');
      },
      onTraffic: () => {
        open.add('traffic');
        return () => open.delete('traffic');
      },
    } as unknown as DevMeshBridge;
    const client = new IpcClient(withProxy);
    const stop = client.followRequests({ project: 'shop' }, () => {});
    client.onTraffic({ project: 'shop' }, () => {});
    expect([...open].sort()).toEqual(['requests', 'traffic']);
    stop();
    client.dispose();
    expect(open.size).toBe(0);

    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const old = new IpcClient(fakeBridge().bridge);
    expect(() => old.followRequests({ project: 'shop' }, () => {})()).not.toThrow();
    expect(errors).toHaveBeenCalledWith(expect.stringContaining("does not expose 'followRequests'"));
    errors.mockRestore();
  });
});
