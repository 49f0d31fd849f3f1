// Renders one renderer view the way main.tsx does (StrictMode, AppContext, the real zustand stores and the
// real syncs but the mesh's) over a FakeClient: a unit test of a view, so the transport is the only stand-in. The client
// records every call, answers with what `answer` set (typed by the devmesh.v1 contract), and pushes events.
// A file using it starts with `// @vitest-environment jsdom`; it unmounts and disposes after each test.
import { StrictMode, type ReactElement } from 'react';
import { cleanup, render, type RenderResult } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { afterEach } from 'vitest';
import type { ApiInput, ApiMethod, ApiOutput } from '../../shared/api.js';
import { DevMeshError, type ErrorCode } from '../../shared/errors.js';
import { EMPTY_USAGE } from '../../shared/usage.js';
import { AgentsSync } from '../../renderer/agents/agents-sync.js';
import { coordinationSyncs, type CoordinationSyncs } from '../../renderer/command-center/command-center-syncs.js';
import { AppContext, type AppServices } from '../../renderer/shell/app-context.js';
import { createAppStores, type AppStores } from '../../renderer/state/app-stores.js';
import { DataSync } from '../../renderer/state/data-sync.js';
import { HealthSync } from '../../renderer/health/health-sync.js';
import { ProxySync } from '../../renderer/state/proxy-sync.js';
import { StoreSync } from '../../renderer/state/store-sync.js';
import { TerminalsSync } from '../../renderer/terminals/terminals-sync.js';
import { FakeClient } from '../renderer/fake-client.js';

/** what the syncs ask for on connect: nothing open, nothing running, unless a test answers otherwise */
function answerEmpty(client: ViewClient): void {
  for (const method of [
    'agents.list',
    'terminals.list',
    'tasks.list',
    'locks.list',
    'messages.list',
    'projects.list',
    'reminders.list',
  ] as const) {
    client.answer(method, []);
  }
  client.answer('services.list', []);
  client.answer('proxy.routes', []);
  client.answer('proxy.traffic', []);
  client.answer('proxy.tcp', []);
  client.answer('databases.list', []);
  client.answer('databases.snapshots', []);
  client.answer('databases.peerSnapshots', []);
  client.answer('daemon.health', { ok: true, problems: [], recovered: [] });
  client.answer('team.locks', { locks: [], leftOff: [] });
  client.answer('projects.git', {
    branch: 'main',
    upstream: null,
    ahead: 0,
    behind: 0,
    changed: 0,
    untracked: 0,
    detached: false,
  });
  client.answer('usage.agents', []);
  client.answer('metrics.current', {
    machine: { ts: 0, cpuCount: 2, memTotalBytes: 0, memAvailableBytes: 0, gpu: false, source: 'proc', note: null },
    processes: [],
    alerts: [],
    intervalMs: 5000,
  });
  client.answer('metrics.history', ({ key }) => ({ key, resolution: 'fine', stepMs: 5000, points: [] }));
  client.answer('usage.task', ({ task }) => ({ task, figures: { ...EMPTY_USAGE }, agents: [] }));
}

export class ViewClient extends FakeClient {
  /** Answers `method` with `answer` (a value of the method's output type, or a function of its input). */
  answer<M extends ApiMethod>(
    method: M,
    answer: ApiOutput<M> | ((input: ApiInput<M>) => ApiOutput<M> | Promise<ApiOutput<M>>),
  ): void {
    this.handlers[method] = typeof answer === 'function' ? (answer as (input: unknown) => unknown) : () => answer;
  }

  /** Makes `method` fail the way the daemon refuses: a DevMeshError with its code and message. */
  refuse(method: ApiMethod, code: ErrorCode, message: string): void {
    this.handlers[method] = () => {
      throw new DevMeshError(code, message);
    };
  }

  /** Makes `method` wait until the returned function is called with its answer (to see a view while busy). */
  hold<M extends ApiMethod>(method: M): (answer: ApiOutput<M> | Error) => void {
    let settle: (answer: ApiOutput<M> | Error) => void = () => {};
    this.handlers[method] = () =>
      new Promise((resolve, reject) => {
        settle = (a) => (a instanceof Error ? reject(a) : resolve(a));
      });
    return (a) => settle(a);
  }

  /** The inputs `method` was called with, oldest first. */
  inputsOf<M extends ApiMethod>(method: M): ApiInput<M>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.input as ApiInput<M>);
  }
}

export interface RenderedView extends RenderResult {
  client: ViewClient;
  stores: AppStores;
  app: AppServices;
  /** the locks, tasks and messages syncs the views share (useCoordination) */
  coordination: CoordinationSyncs;
  user: UserEvent;
}

const disposers: (() => void)[] = [];
afterEach(() => {
  cleanup();
  for (const d of disposers.splice(0).reverse()) d();
});

/**
 * Renders `ui` inside the app's context. `before` runs before the syncs start and the first render: set the
 * daemon's answers there (the syncs list on connect, and a listing replaces what a store held).
 */
export function renderView(
  ui: ReactElement,
  before?: (setup: { client: ViewClient; stores: AppStores }) => void,
): RenderedView {
  const client = new ViewClient();
  answerEmpty(client);
  const stores = createAppStores(client.status);
  before?.({ client, stores });
  const storeSync = new StoreSync(client, stores);
  const proxySync = new ProxySync(client, stores);
  const dataSync = new DataSync(client, stores);
  const healthSync = new HealthSync(client, stores.health);
  const terminals = new TerminalsSync(client, stores);
  const agents = new AgentsSync(client, stores);
  const coordination = coordinationSyncs(client, stores);
  disposers.push(
    () => client.dispose(),
    () => storeSync.dispose(),
    () => proxySync.dispose(),
    () => dataSync.dispose(),
    () => healthSync.dispose(),
    () => terminals.dispose(),
    () => agents.dispose(),
    () => {
      coordination.locks.dispose();
      coordination.tasks.dispose();
      coordination.messages.dispose();
    },
  );
  const app: AppServices = { client, stores, terminals, agents };
  const user = userEvent.setup();
  const result = render(
    <StrictMode>
      <AppContext.Provider value={app}>{ui}</AppContext.Provider>
    </StrictMode>,
  );
  return { ...result, client, stores, app, coordination, user };
}
