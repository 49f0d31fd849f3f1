// `devmesh status` against a DevMesh built from another contract (no matching fingerprint in the upgrade):
// the thin client (dist/cli/devmesh.js) loads the contract's schemas (dist/cli/client-contract.js) and checks
// every message and answer with them, as it does a refused connection's explanation. The daemon here is a
// stand-in on a real loopback WebSocket that answers as told, found through a real daemon.json and token.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { tempDir } from '../api/test-project.js';
import { CliHarness, ensureCliBuilt } from './cli-harness.js';

const tmp = tempDir('devmesh-other-contract-');
const TOKEN = 'f'.repeat(64);
let server: Server | null = null;
let homes = 0;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});
afterAll(() => tmp.dispose());

const health = { ok: true, problems: [], recovered: [] };
const project = {
  id: 'shop',
  root: '/srv/shop',
  configPath: '/srv/shop/devmesh.yaml',
  services: ['web'],
  configError: null,
};
const web = {
  project: 'shop',
  name: 'web',
  version: '1.0.0',
  state: 'stopped',
  port: null,
  pid: null,
  restarts: 0,
  startedAt: null,
  since: 1,
  reason: null,
  autostart: true,
  dependsOn: [],
};

interface StandIn {
  /** the answer to a call, as the stand-in sends it */
  answer?: (method: string) => unknown;
  /** a refusal of the upgrade: status line and body */
  refuse?: { status: string; body: string };
}

/** A stand-in daemon (no contract fingerprint) and a home that points at it; returns the CLI for that home. */
async function standIn(behaviour: StandIn): Promise<CliHarness> {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => 'devmesh.v1' });
  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { id: number; method: string };
      const answer = behaviour.answer?.(message.method);
      ws.send(
        typeof answer === 'string'
          ? answer
          : JSON.stringify({ type: 'result', id: message.id, ok: true, value: answer }),
      );
    });
  });
  server = createServer();
  server.on('upgrade', (req, socket, head) => {
    if (!behaviour.refuse) return wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    // as ApiServer.reject does
    const { status, body } = behaviour.refuse;
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const home = join(tmp.dir, `home-${++homes}`);
  mkdirSync(home);
  const record = {
    pid: process.pid,
    port,
    url: `http://127.0.0.1:${port}/`,
    version: '0.0.9',
    face: 'daemon',
    startedAt: Date.now(),
  };
  writeFileSync(join(home, 'daemon.json'), JSON.stringify(record));
  writeFileSync(join(home, 'token'), `${TOKEN}\n`, { mode: 0o600 });
  return new CliHarness(home, tmp.dir);
}

const git = { branch: 'main', upstream: null, ahead: 0, behind: 0, changed: 0, untracked: 0, detached: false };
const answers = (services: unknown[]) => (method: string) =>
  ({ 'projects.list': [project], 'daemon.health': health, 'services.list': services, 'projects.git': git })[method];

describe('devmesh status against a DevMesh of another contract', () => {
  it('shows answers that match this CLI’s contract', async () => {
    ensureCliBuilt();
    const cli = await standIn({ answer: answers([web]) });
    const r = await cli.run(['status']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^git: main, clean\nSERVICE +VERSION +STATE/);
    expect(r.stdout).toMatch(/\nweb +1\.0\.0 +stopped/);
  }, 60_000);

  it('refuses an answer that does not match it, naming the daemon’s version', async () => {
    ensureCliBuilt();
    const cli = await standIn({ answer: answers([{ ...web, state: 'sleeping' }]) });
    const r = await cli.run(['status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("services.list: the daemon's answer does not match this CLI's contract");
    expect(r.stderr).toContain('0.0.9');
  }, 60_000);

  it('refuses a message outside the wire protocol', async () => {
    ensureCliBuilt();
    const cli = await standIn({ answer: () => JSON.stringify({ type: 'result', id: 'one', ok: true, value: [] }) });
    const r = await cli.run(['status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sent a message that does not match shared\/wire\.ts/);
  }, 60_000);

  it('shows the explanation of a refused connection', async () => {
    ensureCliBuilt();
    const body = JSON.stringify({
      code: 'SHUTTING_DOWN',
      message: 'DevMesh is shutting down; start it again with `npx devmesh up`',
    });
    const cli = await standIn({ refuse: { status: '503 Service Unavailable', body } });
    const r = await cli.run(['status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^devmesh: DevMesh is shutting down; start it again with `npx devmesh up` \(ws:\/\/127\.0\.0\.1:\d+\/api\)\n$/,
    );
  }, 60_000);
});
