// Shared fixtures for the proxy engine tests: a RouteTable stand-in with the contract's shape, the
// production request log on SQLite in a temp folder, a proxy on an ephemeral loopback port, and raw-socket
// helpers. The log is never an in-memory stand-in: one hid an HTTP/2 row the table refused.
import http from 'node:http';
import net from 'node:net';
import pino from 'pino';
import type { RouteInfo } from '../../../shared/proxy.js';
import type { ServiceState } from '../../../shared/service.js';
import type { ProxyLimits } from '../../../main/core/proxy/proxy-limits.js';
import { ProxyServer } from '../../../main/core/proxy/proxy-server.js';
import { NO_FACTS, type RequestFacts, type RouteDecision } from '../../../main/core/proxy/route-decision.js';
import type { TlsContextProvider } from '../../../main/core/proxy/tls-context-provider.js';
import { StoredRequestLog } from './stored-request-log.js';

export interface FakeService {
  project: string;
  service: string;
  port: number;
  state: ServiceState;
  startOnRequest?: boolean;
  /** further instances (ports) a decision offers as alternates, in order */
  alternates?: number[];
}

export class FakeRoutes {
  readonly services: FakeService[] = [];
  /** what ensureRunning does; by default it marks the service running and resolves */
  ensure: (s: FakeService) => Promise<void> = async (s) => {
    s.state = 'healthy';
  };
  ensureCalls = 0;
  /** instance keys reported as failed, in order */
  readonly failures: string[] = [];

  add(s: FakeService): this {
    this.services.push(s);
    return this;
  }

  /** the caller a decision names: X-DevMesh-From as sent (RouteTable would check it against the projects) */
  resolve(hostHeader: string | undefined, path: string, facts: RequestFacts = NO_FACTS): RouteDecision {
    const host = (hostHeader ?? '').replace(/:\d+$/, '').toLowerCase();
    if (host === 'localhost' || host === '127.0.0.1') {
      const name = path.split(/[/?]/)[1] ?? '';
      const s = this.services.find((x) => x.service === name);
      return s ? this.decide(s, `/${name}`, facts.from) : this.unknown(name);
    }
    if (!host.endsWith('.localhost')) return { kind: 'foreign', host };
    const [name, project] = host.slice(0, -'.localhost'.length).split('.');
    const s = this.services.find((x) => x.service === name && (project === undefined || x.project === project));
    return s ? this.decide(s, null, facts.from) : this.unknown(name ?? '');
  }

  async ensureRunning(project: string, service: string, _timeoutMs: number): Promise<void> {
    this.ensureCalls++;
    const s = this.services.find((x) => x.project === project && x.service === service)!;
    await this.ensure(s);
  }

  reportFailure(key: string): void {
    this.failures.push(key);
  }

  private decide(s: FakeService, stripPrefix: string | null, caller: string | null): RouteDecision {
    const at = (port: number): Extract<RouteDecision, { kind: 'forward' }> => ({
      kind: 'forward',
      project: s.project,
      service: s.service,
      target: { host: '127.0.0.1', port },
      upstream: `127.0.0.1:${port}`,
      label: `${s.project}/${s.service}`,
      key: `${s.service}@${port}`,
      caller,
      stripPrefix,
      rewrite: null,
      alternates: [],
    });
    if (s.state === 'healthy') return { ...at(s.port), alternates: (s.alternates ?? []).map(at) };
    return {
      kind: 'unavailable',
      project: s.project,
      service: s.service,
      state: s.state,
      reason: 'stopped by the user',
      startOnRequest: s.startOnRequest === true,
      stripPrefix,
    };
  }

  private unknown(name: string): RouteDecision {
    const known: RouteInfo[] = this.services.map((s) => ({
      hosts: [`${s.service}.localhost`],
      project: s.project,
      service: s.service,
      servedBy: null,
      local: true,
      state: s.state,
      target: `127.0.0.1:${s.port}`,
      urls: [`http://${s.service}.localhost:7777/`],
      startOnRequest: s.startOnRequest === true,
    }));
    return { kind: 'unknown', name, message: `no service is named "${name}"`, known };
  }
}

export interface Started {
  proxy: ProxyServer;
  port: number;
  httpsPort: number | null;
  routes: FakeRoutes;
  /** the production log; `records` reads the stored rows back */
  log: StoredRequestLog;
  /** Closes the proxy, fails if the store refused a row, and removes the store. */
  close(): Promise<void>;
}

export async function startProxy(
  routes: FakeRoutes,
  opts: { limits?: Partial<ProxyLimits>; tls?: TlsContextProvider; instanceId?: string } = {},
): Promise<Started> {
  const log = StoredRequestLog.open();
  const proxy = new ProxyServer({
    routes,
    requests: log.log,
    tls: opts.tls ?? null,
    host: '127.0.0.1',
    httpPort: 0,
    httpsPort: opts.tls ? 0 : null,
    instanceId: opts.instanceId ?? 'test-instance',
    logger: pino({ level: 'silent' }),
    limits: opts.limits,
  });
  const close = async (): Promise<void> => {
    await proxy.close();
    try {
      log.assertStored();
    } finally {
      log.dispose();
    }
  };
  const l = await proxy.listen();
  if (l.httpPort === null) {
    log.dispose();
    throw new Error(l.problems.join('; '));
  }
  return { proxy, port: l.httpPort, httpsPort: l.httpsPort, routes, log, close };
}

export async function listen(server: http.Server | net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as net.AddressInfo).port;
}

export function closeServer(server: http.Server | net.Server): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface SimpleResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request through `agent` (or a fresh connection), body read fully. */
export function request(
  port: number,
  opts: {
    host?: string;
    path?: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    agent?: http.Agent;
  } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: opts.path ?? '/',
        method: opts.method ?? 'GET',
        headers: { host: opts.host ?? 'api.localhost', ...opts.headers },
        agent: opts.agent ?? false,
        timeout: 10_000,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Writes raw bytes, returns everything the proxy sent until it closed the connection (or the bound). */
export function rawExchange(
  port: number,
  bytes: string | Buffer,
  boundMs = 5_000,
  halfClose = false,
): Promise<{ text: string; closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const s = net.connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ text: Buffer.concat(parts).toString('latin1'), closed: false, ms: Date.now() - started });
    }, boundMs);
    s.on('data', (d: Buffer) => parts.push(d));
    // A reset from the proxy (it closes hostile clients) is an outcome under test, seen as `closed`.
    s.on('error', () => s.destroy());
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(parts).toString('latin1'), closed: true, ms: Date.now() - started });
    });
    if (halfClose) s.end(bytes);
    else if (bytes.length > 0) s.write(bytes);
  });
}

export async function until(cond: () => boolean, boundMs = 3_000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
