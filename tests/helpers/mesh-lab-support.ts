// What MeshLab and MeshHost share: the lab's constants and options, the scripts its hosts run (the tiny
// HTTP service, the API and event clients), bounded waiting, and the CLI error. See mesh-lab.ts.
import { join, resolve } from 'node:path';
import type { PeerInfo } from '../../shared/mesh.js';
import { scaled } from './load-scale.js';
import type { NetnsRunResult } from './netns-lab.js';

export const ROOT = resolve(__dirname, '../..');
export const CLI = join(ROOT, 'bin/devmesh.js');
export const MESH_PORT = 7790;
export const DEFAULT_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
// Every limit below holds with margin on a quiet machine and is scaled by the load measured when the test
// file loads (see load-scale.ts): under load a `devmesh up` in a namespace takes many seconds to print.
export const CLI_TIMEOUT_MS = scaled(20_000);
export const UP_TIMEOUT_MS = scaled(30_000);
export const STOP_TIMEOUT_MS = scaled(15_000);
/** The daemons' heartbeat in a lab unless a test sets its own: 300 ms on a quiet machine. A daemon whose
 * event loop stalls for 3 beats marks its peers unreachable, so on a loaded machine a fixed 300 ms made links
 * flap (seen: "no heartbeat for 1.4 s" at load 20) and a full mesh was never seen at once. */
export const LAB_HEARTBEAT_MS = scaled(300);

export interface MeshServiceSpec {
  name: string;
  /** semver; also given to the process as DEVMESH_SERVICE_VERSION (the daemon does it) */
  version?: string;
  /** default true */
  autostart?: boolean;
  dependsOn?: Record<string, string>;
  /** extra devmesh.yaml keys for this service (prefer, allow_peers, ...), written as given */
  extra?: Record<string, unknown>;
  /** the service's own Node script (its source), written as `<name>.cjs` in the project folder and run
   * instead of the shared server.js; it gets PORT and the daemon's environment (<DEP>_URL, ...) */
  script?: string;
  /** the service's devmesh.yaml lines instead of the generated ones (a database service: `database: …`),
   * written indented under its name */
  yaml?: string[];
  /** files written into the project folder first (name → text), e.g. a database's seed */
  files?: Record<string, string>;
}

export interface MeshLabOptions {
  /** host count (named alice, bob, carol, ...) or the names themselves; default 3 */
  hosts?: number | string[];
  /** multicast route in each namespace (mDNS can work); default true */
  multicast?: boolean;
  /** DEVMESH_MESH_MDNS; default: on when multicast is */
  mdns?: boolean;
  /** hosts (by name) that are put in one shared mesh before start: the first inits, the others join its
   * invite. Default: every host. Others start without a mesh (set one with host.cli(['mesh', ...])). */
  members?: string[];
  /** joiners get the invite as `devmesh mesh invite` prints it, with the inviter's address as a seed
   * (default true); false: the seeds are taken out, so only static peers, mDNS and gossip link anyone */
  inviteSeeds?: boolean;
  /** static peers per host name: host names (→ ip:7790) or literal `ip:port` strings */
  staticPeers?: Record<string, string[]>;
  /** DEVMESH_MESH_HEARTBEAT in ms; default LAB_HEARTBEAT_MS (300 ms scaled by the load) */
  heartbeatMs?: number;
  /** the project every host runs; default `shop` */
  project?: string;
  /** the project folder of every host is a clone (real git) of one repository made once in the lab folder with
   * an initial commit, so every host's project has the same identity key, as teammates' clones do; default
   * true. false: plain folders (each identified local-only, never shared with a teammate) */
  git?: boolean;
  /** default: api@1.0.0 and web@1.0.0 (autostart), worker@1.0.0 (not autostarted) */
  services?: MeshServiceSpec[];
  /** per host name: its own service list instead of `services` */
  servicesByHost?: Record<string, MeshServiceSpec[]>;
  /** extra environment for every daemon and CLI call (e.g. DEVMESH_PROXY_HOST: '0.0.0.0') */
  env?: Record<string, string>;
  /** start every daemon at create (and wait until each is up); default true */
  start?: boolean;
  /** DEVMESH_LOG_LEVEL of the daemons; default info */
  logLevel?: string;
  /** extra host namespaces on the same network with no daemon (for an independent resolver, say); they
   * follow the daemons' in `lab.netns.hosts`: see MeshLab.bystander(); default 0 */
  bystanders?: number;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** what is awaited, for the error message */
  what?: string;
}

export const DEFAULT_SERVICES: MeshServiceSpec[] = [
  { name: 'api', version: '1.0.0' },
  { name: 'web', version: '1.0.0' },
  { name: 'worker', version: '1.0.0', autostart: false },
];

/** The service every host runs: one Node process per service, answering every request with JSON. */
export const SERVER_JS = `'use strict';
const http = require('node:http');
const server = http.createServer((req, res) => {
  let size = 0;
  req.on('data', (d) => (size += d.length));
  req.on('end', () => {
    const body = JSON.stringify({
      agent: process.env.DEVMESH_AGENT_NAME || null,
      service: process.env.DEVMESH_SERVICE || null,
      project: process.env.DEVMESH_PROJECT || null,
      version: process.env.DEVMESH_SERVICE_VERSION || null,
      method: req.method,
      path: req.url,
      headers: req.headers,
      bodyBytes: size,
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
`;

/** Calls one API method of the daemon of $DEVMESH_HOME (loopback, token auth) and prints the value as JSON. */
export const API_CALL_JS = `'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const WebSocket = require(process.env.MESHLAB_WS);
const home = process.env.DEVMESH_HOME;
const record = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8'));
const token = readFileSync(join(home, 'token'), 'utf8').trim();
const [method, input] = [process.argv[2], JSON.parse(process.argv[3] || '{}')];
const ws = new WebSocket('ws://127.0.0.1:' + record.port + '/api', ['devmesh.v1', 'devmesh-token.' + token], { handshakeTimeout: 5000 });
const fail = (m) => { process.stderr.write(m + '\\n'); process.exit(2); };
ws.on('error', (e) => fail('api: ' + e.message));
ws.on('open', () => ws.send(JSON.stringify({ type: 'call', id: 1, method, input })));
ws.on('message', (data) => {
  const m = JSON.parse(data.toString());
  if (m.type !== 'result' || m.id !== 1) return;
  if (!m.ok) fail(JSON.stringify(m.error));
  process.stdout.write(JSON.stringify(m.value) + '\\n');
  process.exit(0);
});
`;

/** Follows the daemon's `events` stream of $DEVMESH_HOME: one JSON line per event on stdout. */
export const EVENTS_JS = `'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const WebSocket = require(process.env.MESHLAB_WS);
const home = process.env.DEVMESH_HOME;
const record = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8'));
const token = readFileSync(join(home, 'token'), 'utf8').trim();
const ws = new WebSocket('ws://127.0.0.1:' + record.port + '/api', ['devmesh.v1', 'devmesh-token.' + token], { handshakeTimeout: 5000 });
ws.on('error', (e) => { process.stderr.write('events: ' + e.message + '\\n'); process.exit(2); });
ws.on('close', () => process.exit(0));
ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', id: 1, topic: 'events', params: {} })));
ws.on('message', (data) => {
  const m = JSON.parse(data.toString());
  if (m.type === 'result' && m.id === 1) process.stdout.write(JSON.stringify({ subscribed: m.ok }) + '\\n');
  else if (m.type === 'event' && m.sub === 1) process.stdout.write(JSON.stringify(m.data) + '\\n');
});
`;

export interface EventFollower {
  /** every event received so far, oldest first */
  readonly events: Array<{ type: string; ts: number } & Record<string, unknown>>;
  /** waits (bounded) for an event matching `predicate`, including ones already received */
  waitFor(
    predicate: (e: { type: string; ts: number } & Record<string, unknown>) => boolean,
    opts?: WaitOptions,
  ): Promise<{ type: string; ts: number } & Record<string, unknown>>;
  stop(): void;
}

/** Polls `probe` until it returns a value other than false/null/undefined; throws with the last value seen. */
export async function waitUntil<T>(
  probe: () => Promise<T | false | null | undefined> | T | false | null | undefined,
  opts: WaitOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? scaled(20_000);
  const intervalMs = opts.intervalMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let last: unknown = undefined;
  for (let i = 0; i < 100_000; i++) {
    try {
      const value = await probe();
      if (value !== false && value !== null && value !== undefined) return value;
      last = value;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a condition'}; last seen: ${describe(last)}`,
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

export class CliError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly result: NetnsRunResult,
    host: string,
  ) {
    super(
      `devmesh ${args.join(' ')} on ${host} ${result.timedOut ? 'timed out' : `exited with ${result.code ?? result.signal}`}\n` +
        `stdout: ${result.stdout.trim().slice(0, 2000)}\nstderr: ${result.stderr.trim().slice(0, 2000)}`,
    );
  }
}

/** The peer of that name in a peer list. */
export function peerNamed(peers: PeerInfo[], name: string): PeerInfo | undefined {
  return peers.find((p) => p.name === name);
}

/** One line per peer, for failure messages. */
export function summarizePeers(peers: PeerInfo[]): string {
  if (peers.length === 0) return '(none)';
  return peers
    .map(
      (p) =>
        `${p.name}@${p.address ?? '-'} ${p.state} via ${p.via} [${p.services.map((s) => `${s.name}@${s.version}:${s.state}`).join(' ')}]`,
    )
    .join('; ');
}
