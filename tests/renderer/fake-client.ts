// An in-memory DevMeshClient for tests of what sits above the transport (log sessions, store sync).
import type { ApiInput, ApiMethod, ApiOutput, ApiTopicParams } from '../../shared/api.js';
import type { DevMeshEvent } from '../../shared/events.js';
import type { RequestRecord, ServiceTraffic } from '../../shared/proxy.js';
import type { LogLine } from '../../shared/service.js';
import type { ConnectionStatus, DevMeshClient } from '../../renderer/api/devmesh-client.js';

type Handler = (input: any) => unknown;

export class FakeClient implements DevMeshClient {
  status: ConnectionStatus = { state: 'open', attempt: 0, retryInMs: null };
  readonly calls: { method: ApiMethod; input: unknown }[] = [];
  readonly handlers: Partial<Record<ApiMethod, Handler>> = {};
  private readonly eventListeners = new Set<(e: DevMeshEvent) => void>();
  private readonly logListeners = new Set<{ params: ApiTopicParams<'logs'>; listener: (l: LogLine) => void }>();
  private readonly statusListeners = new Set<(s: ConnectionStatus) => void>();
  private readonly requestListeners = new Set<{
    params: ApiTopicParams<'requests'>;
    listener: (r: RequestRecord) => void;
  }>();
  private readonly trafficListeners = new Set<{
    params: ApiTopicParams<'traffic'>;
    listener: (t: ServiceTraffic[]) => void;
  }>();

  async call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
    this.calls.push({ method, input });
    const handler = this.handlers[method];
    if (!handler) throw new Error(`FakeClient: no handler for ${method}`);
    return (await handler(input)) as ApiOutput<M>;
  }

  onEvent(listener: (event: DevMeshEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => void this.eventListeners.delete(listener);
  }

  followLogs(params: ApiTopicParams<'logs'>, listener: (line: LogLine) => void): () => void {
    const entry = { params, listener };
    this.logListeners.add(entry);
    return () => void this.logListeners.delete(entry);
  }

  followRequests(params: ApiTopicParams<'requests'>, listener: (record: RequestRecord) => void): () => void {
    const entry = { params, listener };
    this.requestListeners.add(entry);
    return () => void this.requestListeners.delete(entry);
  }

  onTraffic(params: ApiTopicParams<'traffic'>, listener: (snapshot: ServiceTraffic[]) => void): () => void {
    const entry = { params, listener };
    this.trafficListeners.add(entry);
    return () => void this.trafficListeners.delete(entry);
  }

  onConnectionChange(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => void this.statusListeners.delete(listener);
  }

  dispose(): void {
    this.eventListeners.clear();
    this.logListeners.clear();
    this.statusListeners.clear();
    this.requestListeners.clear();
    this.trafficListeners.clear();
  }

  emit(event: DevMeshEvent): void {
    for (const l of this.eventListeners) l(event);
  }

  emitLine(line: LogLine): void {
    for (const { params, listener } of this.logListeners) {
      if (params.name === undefined || params.name === line.service) listener(line);
    }
  }

  emitRequest(record: RequestRecord): void {
    for (const { params, listener } of this.requestListeners) {
      if (params.service === undefined || params.service === record.service) listener(record);
    }
  }

  emitTraffic(snapshot: ServiceTraffic[]): void {
    for (const { listener } of this.trafficListeners) listener(snapshot);
  }

  setStatus(state: ConnectionStatus['state']): void {
    this.status = { state, attempt: state === 'open' ? 0 : 1, retryInMs: state === 'reconnecting' ? 250 : null };
    for (const l of this.statusListeners) l(this.status);
  }

  get followers(): number {
    return this.logListeners.size + this.eventListeners.size + this.requestListeners.size + this.trafficListeners.size;
  }
}
