// The core's one fan-out point: service/project events and live log lines go to every face that listens.
import type { DevMeshEvent } from '../../../shared/events.js';
import type { RequestRecord, ServiceTraffic } from '../../../shared/proxy.js';
import type { LogLine } from '../../../shared/service.js';
import { toDisposable, type Disposable } from '../lifecycle/disposable.js';

type Listener<T> = (value: T) => void;

export class EventBus {
  private readonly eventListeners = new Set<Listener<DevMeshEvent>>();
  private readonly logListeners = new Set<Listener<LogLine>>();
  private readonly requestListeners = new Set<Listener<RequestRecord>>();
  private readonly trafficListeners = new Set<Listener<ServiceTraffic[]>>();

  onDidEmitEvent(listener: Listener<DevMeshEvent>): Disposable {
    this.eventListeners.add(listener);
    return toDisposable(() => this.eventListeners.delete(listener));
  }

  onDidLogLine(listener: Listener<LogLine>): Disposable {
    this.logListeners.add(listener);
    return toDisposable(() => this.logListeners.delete(listener));
  }

  /** every request the proxy answered, once its response is complete */
  onDidProxyRequest(listener: Listener<RequestRecord>): Disposable {
    this.requestListeners.add(listener);
    return toDisposable(() => this.requestListeners.delete(listener));
  }

  /** per-service traffic counters, once a second while there is traffic */
  onDidUpdateTraffic(listener: Listener<ServiceTraffic[]>): Disposable {
    this.trafficListeners.add(listener);
    return toDisposable(() => this.trafficListeners.delete(listener));
  }

  proxyRequest(record: RequestRecord): void {
    EventBus.deliver(this.requestListeners, record);
  }

  traffic(snapshot: ServiceTraffic[]): void {
    EventBus.deliver(this.trafficListeners, snapshot);
  }

  emit(event: DevMeshEvent): void {
    EventBus.deliver(this.eventListeners, event);
  }

  log(line: LogLine): void {
    EventBus.deliver(this.logListeners, line);
  }

  // A throwing listener (a face with a broken socket) must not stop delivery to the others.
  private static deliver<T>(listeners: Set<Listener<T>>, value: T): void {
    for (const l of [...listeners]) {
      try {
        l(value);
      } catch (err) {
        process.emitWarning(`devmesh: an event listener threw: ${(err as Error).message}`);
      }
    }
  }
}
