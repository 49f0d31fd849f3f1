// Request records, routes and traffic snapshots for the renderer's proxy tests.
import type { RequestRecord, RouteInfo, ServiceTraffic } from '../../shared/proxy.js';

export const request = (seq: number, over: Partial<RequestRecord> = {}): RequestRecord => ({
  seq,
  ts: 1_700_000_000_000 + seq,
  method: 'GET',
  host: 'api.localhost',
  path: `/items/${seq}`,
  status: 200,
  bytesIn: 0,
  bytesOut: 120,
  durationMs: 2.5,
  project: 'shop',
  service: 'api',
  upstream: '127.0.0.1:4001',
  error: null,
  tls: false,
  websocket: false,
  caller: null,
  instance: 'me/shop/api',
  ...over,
});

export const requests = (from: number, to: number, over: Partial<RequestRecord> = {}): RequestRecord[] =>
  Array.from({ length: to - from + 1 }, (_, i) => request(from + i, over));

export const route = (service: string, over: Partial<RouteInfo> = {}): RouteInfo => ({
  hosts: [`${service}.localhost`, `${service}.shop.localhost`],
  project: 'shop',
  service,
  servedBy: `local/${service}@1.0.0`,
  local: true,
  state: 'healthy',
  target: '127.0.0.1:4001',
  urls: [`http://${service}.localhost:7777/`, `https://${service}.localhost:7443/`],
  startOnRequest: false,
  ...over,
});

export const traffic = (service: string, over: Partial<ServiceTraffic> = {}): ServiceTraffic => ({
  project: 'shop',
  service,
  requests: 100,
  errors: 2,
  requestsPerSec: 12.34,
  errorsPerSec: 0.5,
  p50Ms: 3.2,
  p95Ms: 8.04,
  ...over,
});
