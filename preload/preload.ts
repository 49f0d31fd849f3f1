// The sandboxed preload: exposes `window.devmesh` (shared/bridge.ts) to the renderer through contextBridge.
// One named method per API call, each bound to its own fixed channel: the page cannot pick a channel, so
// there is no generic invoke or send to abuse. Streams share one IPC_STREAM listener that dispatches by
// subscription id; Electron's event object never reaches the page. Terminal bytes take a MessagePort per view
// (openTerminalStream), never these channels. Bundled by esbuild (CJS, electron
// external), because a sandboxed preload cannot load node_modules.
import { contextBridge, ipcRenderer } from 'electron';
import type { ApiMethod, ApiTopic } from '../shared/api.js';
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
  type TerminalPortMessage,
} from '../shared/bridge.js';
import type { Result } from '../shared/errors.js';
import type { DevMeshEvent } from '../shared/events.js';
import type { RequestRecord, ServiceTraffic } from '../shared/proxy.js';
import type { LogLine } from '../shared/service.js';

/** Every API method, checked by the compiler against shared/api.ts (a missing or unknown one fails to
 * type-check). Spelled out instead of importing API_METHODS so the preload does not bundle zod
 * (~750 KB that every page load would parse). */
const METHODS: Record<ApiMethod, true> = {
  'daemon.info': true,
  'daemon.shutdown': true,
  'daemon.health': true,
  'projects.list': true,
  'projects.open': true,
  'projects.close': true,
  'services.list': true,
  'services.start': true,
  'services.stop': true,
  'services.restart': true,
  'services.startAll': true,
  'services.stopAll': true,
  'logs.page': true,
  'logs.search': true,
  'proxy.info': true,
  'proxy.routes': true,
  'proxy.requests': true,
  'proxy.traffic': true,
  'ca.info': true,
  'mesh.info': true,
  'mesh.peers': true,
  'mesh.reload': true,
  'agents.profiles': true,
  'agents.list': true,
  'agents.start': true,
  'agents.stop': true,
  'agents.relaunch': true,
  'agents.remove': true,
  'agents.context': true,
  'mesh.graph': true,
  'mesh.alerts': true,
  'terminals.list': true,
  'terminals.create': true,
  'terminals.input': true,
  'terminals.resize': true,
  'terminals.signal': true,
  'terminals.kill': true,
  'terminals.remove': true,
  'recordings.list': true,
  'recordings.read': true,
  'locks.list': true,
  'locks.acquire': true,
  'locks.release': true,
  'locks.releaseAll': true,
  'locks.heartbeat': true,
  'locks.check': true,
  'audit.list': true,
  'audit.verify': true,
  'team.machines': true,
  'team.agents': true,
  'team.locks': true,
  'tasks.list': true,
  'tasks.get': true,
  'tasks.create': true,
  'tasks.cancel': true,
  'tasks.bid': true,
  'tasks.claim': true,
  'tasks.update': true,
  'tasks.complete': true,
  'messages.send': true,
  'messages.read': true,
  'messages.list': true,
  'state.get': true,
  'state.set': true,
  'state.list': true,
  'reminders.create': true,
  'reminders.list': true,
  'reminders.cancel': true,
  'files.changes': true,
  'files.watched': true,
  'review.summary': true,
  'review.file': true,
  'review.commit': true,
  'review.check': true,
  'review.merge': true,
  'review.discard': true,
  'projects.git': true,
  'usage.agents': true,
  'usage.agent': true,
  'usage.task': true,
  'usage.setBudget': true,
  'usage.receiver': true,
  'projects.openWorktree': true,
  'proxy.tcp': true,
  'databases.list': true,
  'databases.reset': true,
  'databases.snapshot': true,
  'databases.restore': true,
  'databases.snapshots': true,
  'databases.publish': true,
  'databases.peerSnapshots': true,
  'databases.pull': true,
  'metrics.current': true,
  'metrics.history': true,
  'metrics.alerts': true,
};

const listeners = new Map<number, (data: unknown) => void>();
let nextSubId = 1;

ipcRenderer.on(IPC_STREAM, (_event, subId: unknown, data: unknown) => {
  if (typeof subId === 'number') listeners.get(subId)?.(data);
});

// A terminal stream's port (shared/bridge.ts): contextBridge cannot pass a MessagePort, so it goes to the page
// the way Electron documents for context-isolated pages: window.postMessage with the port transferred. Only
// this window's own listeners see it ('*': the message goes to this same window, and its listener checks ev.source).
let nextStreamId = 1;
ipcRenderer.on(IPC_TERMINAL_PORT, (event, message: unknown) => {
  const port = event.ports?.[0];
  const streamId = (message as Partial<TerminalPortMessage> | null)?.streamId;
  if (port === undefined || typeof streamId !== 'number') return;
  const data: TerminalPortMessage = { type: TERMINAL_PORT_MESSAGE, streamId };
  window.postMessage(data, '*', [port]);
});

function subscribe(topic: ApiTopic, params: unknown, listener: (data: unknown) => void): () => void {
  const subId = nextSubId++;
  listeners.set(subId, listener);
  ipcRenderer.invoke(IPC_SUBSCRIBE, subId, topic, params).then(
    (result: Result<unknown>) => {
      if (result.ok) return;
      listeners.delete(subId);
      console.error(`devmesh: could not follow ${topic}: ${result.error.code}: ${result.error.message}`);
    },
    (err: Error) => {
      listeners.delete(subId);
      console.error(`devmesh: could not follow ${topic}: ${err.message}`);
    },
  );
  let open = true;
  return () => {
    if (!open) return;
    open = false;
    listeners.delete(subId);
    ipcRenderer.invoke(IPC_UNSUBSCRIBE, subId).catch((err: Error) => {
      console.error(`devmesh: could not stop following ${topic}: ${err.message}`);
    });
  };
}

function createBridge(): DevMeshBridge {
  const calls: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const method of Object.keys(METHODS) as ApiMethod[]) {
    const channel = ipcCallChannel(method);
    calls[method] = (input: unknown) => ipcRenderer.invoke(channel, input);
  }
  return {
    ...calls,
    onEvent: (listener: (event: DevMeshEvent) => void) =>
      subscribe('events', {}, (data) => listener(data as DevMeshEvent)),
    followLogs: (params, listener: (line: LogLine) => void) =>
      subscribe('logs', params, (data) => listener(data as LogLine)),
    followRequests: (params, listener: (record: RequestRecord) => void) =>
      subscribe('requests', params, (data) => listener(data as RequestRecord)),
    onTraffic: (params, listener: (snapshot: ServiceTraffic[]) => void) =>
      subscribe('traffic', params, (data) => listener(data as ServiceTraffic[])),
    openTerminalStream: (id: string) => ipcRenderer.invoke(IPC_TERMINAL_OPEN, nextStreamId++, id),
  } as DevMeshBridge;
}

contextBridge.exposeInMainWorld(BRIDGE_KEY, createBridge());
