// The core's one fan-out point: service/project events and live log lines go to every face that listens.
import type { DevMeshEvent } from '../../../shared/events.js';
import type { RequestRecord, ServiceTraffic } from '../../../shared/proxy.js';
import type { LogLine } from '../../../shared/service.js';
import type { Disposable } from '../base/disposable.js';
import { Emitter, type Listener } from '../base/emitter.js';

export class EventBus {
  /** hears what a listener threw (the daemon's health); set once by the composition root */
  onListenerError: (err: unknown) => void = (err) =>
    process.emitWarning(`devmesh: an event listener threw: ${(err as Error)?.message ?? String(err)}`);
  // A throwing listener (a face with a broken socket, a store on a full disk) must not stop delivery to the
  // others, nor reach the emitter (a timer, a process's exit): the Emitter reports it and the next one runs.
  private readonly contained = { onListenerError: (err: unknown) => this.onListenerError(err) };
  private readonly events = new Emitter<DevMeshEvent>(this.contained);
  private readonly logLines = new Emitter<LogLine>(this.contained);
  private readonly requests = new Emitter<RequestRecord>(this.contained);
  private readonly trafficUpdates = new Emitter<ServiceTraffic[]>(this.contained);

  onDidEmitEvent(listener: Listener<DevMeshEvent>): Disposable {
    return this.events.event(listener);
  }

  onDidLogLine(listener: Listener<LogLine>): Disposable {
    return this.logLines.event(listener);
  }

  /** every request the proxy answered, once its response is complete */
  onDidProxyRequest(listener: Listener<RequestRecord>): Disposable {
    return this.requests.event(listener);
  }

  /** per-service traffic counters, once a second while there is traffic */
  onDidUpdateTraffic(listener: Listener<ServiceTraffic[]>): Disposable {
    return this.trafficUpdates.event(listener);
  }

  proxyRequest(record: RequestRecord): void {
    this.requests.fire(record);
  }

  traffic(snapshot: ServiceTraffic[]): void {
    this.trafficUpdates.fire(snapshot);
  }

  emit(event: DevMeshEvent): void {
    this.events.fire(event);
  }

  log(line: LogLine): void {
    this.logLines.fire(line);
  }
}
