// DevMeshClient over Electron IPC: the preload's `window.devmesh` bridge, one method per API call. The
// main process is in the same app, so the "connection" is open for the life of the window.
// Not a transport of shared/protocol-client.ts: the bridge has no frames to correlate. Each call is one
// `ipcRenderer.invoke` on its own channel (Electron matches the answer to the call), and the preload keeps the
// streams' ids (shared/bridge.ts). What is shared with the WebSocket client is what happens to an answer: the
// same timeout and the same check against the method's output schema (checkedOutput, withTimeout).
import { apiMethods, type ApiInput, type ApiMethod, type ApiOutput, type ApiTopicParams } from '../../shared/api.js';
import type { DevMeshBridge } from '../../shared/bridge.js';
import { DevMeshError, type Result } from '../../shared/errors.js';
import type { DevMeshEvent } from '../../shared/events.js';
import type { RequestRecord, ServiceTraffic } from '../../shared/proxy.js';
import { checkedOutput, withTimeout } from '../../shared/protocol-answers.js';
import type { LogLine } from '../../shared/service.js';
import type { ConnectionStatus, DevMeshClient } from './devmesh-client.js';

export class IpcClient implements DevMeshClient {
  readonly status: ConnectionStatus = { state: 'open', attempt: 0, retryInMs: null };
  private readonly disposers = new Set<() => void>();

  private readonly callTimeoutMs: number;

  constructor(
    private readonly bridge: DevMeshBridge,
    deps: { callTimeoutMs?: number } = {},
  ) {
    // the WebSocket client's default (ws-client.ts): a call the main process never answers ends the same way
    this.callTimeoutMs = deps.callTimeoutMs ?? 120_000;
  }

  async call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
    const fn = this.bridge[method] as unknown as ((input: ApiInput<M>) => Promise<Result<ApiOutput<M>>>) | undefined;
    if (typeof fn !== 'function') {
      throw new DevMeshError(
        'UNKNOWN_METHOD',
        `the app's preload does not expose '${method}'; the app and its UI are out of date with each other, reinstall DevMesh`,
      );
    }
    let result: Result<ApiOutput<M>>;
    try {
      const timeout = (): DevMeshError =>
        new DevMeshError(
          'TIMEOUT',
          `'${method}' got no answer from the app's main process within ${this.callTimeoutMs} ms`,
        );
      result = await withTimeout(fn(input), this.callTimeoutMs, timeout);
    } catch (err) {
      if (err instanceof DevMeshError) throw err;
      // invoke() rejects only when the IPC itself broke (no handler, window closing): still one error shape.
      throw new DevMeshError(
        'INTERNAL',
        `'${method}' failed in the app's main process: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (!result.ok) throw new DevMeshError(result.error.code, result.error.message, result.error.details);
    return checkedOutput(
      method,
      result.value,
      apiMethods[method].output,
      (m, issue) =>
        new DevMeshError(
          'INTERNAL',
          `the app's main process answered '${m}' with an unexpected shape (${issue}); reinstall DevMesh`,
        ),
    );
  }

  onEvent(listener: (event: DevMeshEvent) => void): () => void {
    return this.track(this.bridge.onEvent(listener));
  }

  followLogs(params: ApiTopicParams<'logs'>, listener: (line: LogLine) => void): () => void {
    return this.track(this.bridge.followLogs(params, listener));
  }

  followRequests(params: ApiTopicParams<'requests'>, listener: (record: RequestRecord) => void): () => void {
    return this.track(this.followWith('followRequests', (bridge) => bridge.followRequests(params, listener)));
  }

  onTraffic(params: ApiTopicParams<'traffic'>, listener: (snapshot: ServiceTraffic[]) => void): () => void {
    return this.track(this.followWith('onTraffic', (bridge) => bridge.onTraffic(params, listener)));
  }

  onConnectionChange(_listener: (status: ConnectionStatus) => void): () => void {
    return () => {};
  }

  dispose(): void {
    for (const d of [...this.disposers]) d();
  }

  /** An older preload lacks the newer stream helpers: say so once instead of throwing inside a view. */
  private followWith(
    helper: 'followRequests' | 'onTraffic',
    follow: (bridge: DevMeshBridge) => () => void,
  ): () => void {
    if (typeof this.bridge[helper] === 'function') return follow(this.bridge);
    console.error(
      `devmesh: the app's preload does not expose '${helper}'; the app and its UI are out of date with each other, reinstall DevMesh`,
    );
    return () => {};
  }

  private track(unsubscribe: () => void): () => void {
    const once = () => {
      if (!this.disposers.delete(once)) return;
      unsubscribe();
    };
    this.disposers.add(once);
    return once;
  }
}
