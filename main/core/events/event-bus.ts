// The core's one fan-out point: service/project events and live log lines go to every face that listens.
import type { DevMeshEvent } from '../../../shared/events.js';
import type { RequestRecord, ServiceTraffic } from '../../../shared/proxy.js';
import type { LogLine } from '../../../shared/service.js';
import { toDisposable, type Disposable } from '../base/disposable.js';

type Listener<T> = (value: T) => void;

export class EventBus {
  /** hears what a listener threw (the daemon's health); set once by the composition root */
  onListenerError: (err: unknown) => void = (err) => process.emitWarning(`devmesh: an event listener threw: ${(err as Error)?.message ?? String(err)}`);
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
    this.deliver(this.requestListeners, record);
  }

  traffic(snapshot: ServiceTraffic[]): void {
    this.deliver(this.trafficListeners, snapshot);
  }

  emit(event: DevMeshEvent): void {
    this.deliver(this.eventListeners, event);
  }

  log(line: LogLine): void {
    this.deliver(this.logListeners, line);
  }

  // A throwing listener (a face with a broken socket, a store on a full disk) must not stop delivery to the
  // others, nor reach the emitter (a timer, a process's exit): it is reported and the next one runs.
  private deliver<T>(listeners: Set<Listener<T>>, value: T): void {
    for (const l of [...listeners]) {
      try {
        l(value);
      } catch (err) {
        try {
          this.onListenerError(err);
        } catch {
          // the reporter failed too; delivery goes on
        }
      }
    }
  }
}
