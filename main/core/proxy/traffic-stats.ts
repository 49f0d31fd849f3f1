// Traffic counters for the faces and the service graph: per service, and per edge (the calling service →
// the instance that served it, when the request named its caller). Pushed once a second while there is
// traffic, plus once when a rate falls back to zero; the edges are read when the graph is built.
import type { EdgeTraffic, RequestRecord, ServiceTraffic } from '../../../shared/proxy.js';
import type { EventBus } from '../events/event-bus.js';
import type { Disposable } from '../base/disposable.js';
import { TrafficCounter } from './traffic-counter.js';

/** Edge counters kept at most: callers are named by the client, so a churn of names must not grow memory. */
export const MAX_EDGE_COUNTERS = 5000;

interface ServiceCounter {
  project: string;
  service: string;
  counter: TrafficCounter;
}

export class TrafficStats implements Disposable {
  /** by project, then service: two lookups per request, and no key string built for each */
  private readonly counters = new Map<string, Map<string, ServiceCounter>>();
  /** in least recently used order (a Map iterates in insertion order; a hit moves the key to the end) */
  private readonly edgeCounters = new Map<string, { caller: string; instance: string; counter: TrafficCounter }>();
  private timer: NodeJS.Timeout | null = null;
  private activeLastTick = false;

  constructor(
    private readonly events: EventBus,
    private readonly now: () => number = Date.now,
    private readonly maxEdges: number = MAX_EDGE_COUNTERS,
  ) {}

  /** Starts pushing snapshots once a second (unref'd: it never keeps DevMesh alive). */
  start(): void {
    this.timer ??= setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  observe(record: RequestRecord): void {
    if (record.project === null || record.service === null) return;
    const second = Math.floor(this.now() / 1000);
    const isError = record.status >= 500 || record.error !== null;
    const durationMs = record.websocket ? null : record.durationMs;
    let services = this.counters.get(record.project);
    if (!services) this.counters.set(record.project, (services = new Map<string, ServiceCounter>()));
    let c = services.get(record.service);
    if (!c) {
      c = { project: record.project, service: record.service, counter: new TrafficCounter() };
      services.set(record.service, c);
    }
    c.counter.add(second, isError, durationMs);
    if (record.caller !== null && record.instance !== null)
      this.edge(record.caller, record.instance).add(second, isError, durationMs);
  }

  snapshot(project?: string): ServiceTraffic[] {
    const second = Math.floor(this.now() / 1000);
    const out: ServiceTraffic[] = [];
    for (const [name, services] of this.counters) {
      if (project && name !== project) continue;
      for (const c of services.values()) {
        out.push({ project: c.project, service: c.service, ...c.counter.read(second) });
      }
    }
    return out;
  }

  /** Traffic per caller → instance, for the service graph's edges. */
  edges(): EdgeTraffic[] {
    const second = Math.floor(this.now() / 1000);
    return [...this.edgeCounters.values()].map((e) => {
      const { requests, errors, requestsPerSec, errorsPerSec, p95Ms } = e.counter.read(second);
      return { caller: e.caller, instance: e.instance, requests, errors, requestsPerSec, errorsPerSec, p95Ms };
    });
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private edge(caller: string, instance: string): TrafficCounter {
    const key = `${caller}\0${instance}`;
    let e = this.edgeCounters.get(key);
    if (e) {
      this.edgeCounters.delete(key);
    } else {
      // Full: the edge that has gone longest without a request makes room.
      if (this.edgeCounters.size >= this.maxEdges) this.edgeCounters.delete(this.edgeCounters.keys().next().value!);
      e = { caller, instance, counter: new TrafficCounter() };
    }
    this.edgeCounters.set(key, e);
    return e.counter;
  }

  private tick(): void {
    const snapshot = this.snapshot();
    const active = snapshot.some((s) => s.requestsPerSec > 0);
    if (active || this.activeLastTick) this.events.traffic(snapshot);
    this.activeLastTick = active;
  }
}
