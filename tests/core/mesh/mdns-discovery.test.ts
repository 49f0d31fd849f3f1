// MdnsDiscovery: TXT parsing as a unit, then real mDNS between processes in network namespaces (root only).
// Code runs inside a namespace as a small esbuild bundle under .devmesh-test/ (so node_modules resolves),
// started with this Node through NetnsLab.spawn; it prints one JSON line per event on stdout.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MdnsDiscovery, MESH_PROTOCOL_VERSION, type MdnsAdvert, type MdnsCandidate } from '../../../main/core/mesh/mdns-discovery.js';
import { NetnsLab } from '../../helpers/netns-lab.js';

const root = resolve(__dirname, '../../..');

function advert(over: Partial<MdnsAdvert> = {}): MdnsAdvert {
  return { agentId: randomUUID(), name: 'alpha', meshId: 'mesh-test', port: 7001, protocol: MESH_PROTOCOL_VERSION, ...over };
}

describe('MdnsDiscovery TXT records', () => {
  it('round-trips an advert through its TXT record, raw or decoded', () => {
    const a = advert({ meshId: '' });
    const raw = Object.entries(MdnsDiscovery.encodeTxt(a)).map(([k, v]) => Buffer.from(`${k}=${v}`));
    expect(MdnsDiscovery.parseTxt(raw)).toEqual({ ok: true, advert: a });
    expect(MdnsDiscovery.parseTxt(MdnsDiscovery.encodeTxt(a))).toEqual({ ok: true, advert: a });
  });

  it('keeps values that contain "=" and treats keys case-insensitively, first one winning', () => {
    const a = advert({ name: 'a=b' });
    const raw = ['TXTVERS=1', `ID=${a.agentId}`, 'name=a=b', 'name=other', `mesh=${a.meshId}`, 'port=7001', `proto=${MESH_PROTOCOL_VERSION}`];
    expect(MdnsDiscovery.parseTxt(raw.map((s) => Buffer.from(s)))).toEqual({ ok: true, advert: a });
  });

  it.each([
    ['nothing', undefined],
    ['a number', 42],
    ['an empty record', []],
    ['another txtvers', { ...MdnsDiscovery.encodeTxt(advert()), txtvers: '2' }],
    ['another protocol', { ...MdnsDiscovery.encodeTxt(advert()), proto: String(MESH_PROTOCOL_VERSION + 1) }],
    ['a port out of range', { ...MdnsDiscovery.encodeTxt(advert()), port: '70000' }],
    ['a port that is not a number', { ...MdnsDiscovery.encodeTxt(advert()), port: '7001abc' }],
    ['a bad agent id', { ...MdnsDiscovery.encodeTxt(advert()), id: 'x y' }],
    ['a bad mesh id', { ...MdnsDiscovery.encodeTxt(advert()), mesh: 'MESH!' }],
    ['an over-long name', { ...MdnsDiscovery.encodeTxt(advert()), name: 'n'.repeat(65) }],
    ['binary garbage', [Buffer.from([0xff, 0xfe, 0x00, 0x3d, 0x80])]],
  ])('rejects %s without throwing', (_label, raw) => {
    const r = MdnsDiscovery.parseTxt(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
  });

  it('makes instance names one DNS label, unique per agent', () => {
    const a = advert({ name: 'my.laptop '.repeat(20) });
    const name = MdnsDiscovery.instanceName(a);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(name).not.toContain('.');
    expect(name.endsWith(a.agentId.slice(0, 8))).toBe(true);
  });

  it('orders addresses IPv4 first, the sender first in its family', () => {
    expect(MdnsDiscovery.orderAddresses(['fe80::1', '172.17.0.1', '10.0.0.2'], '10.0.0.2')).toEqual(['10.0.0.2', '172.17.0.1', 'fe80::1']);
  });
});

// The agent run inside a namespace. Modes: `discover` runs MdnsDiscovery with the advert in argv; `raw`
// publishes adverts with bare bonjour-service (malformed TXT included).
const AGENT_SOURCE = `
import { Bonjour } from 'bonjour-service';
import pino from 'pino';
import { MdnsDiscovery } from './main/core/mesh/mdns-discovery.ts';
const [mode, json] = process.argv.slice(2);
const config = JSON.parse(json);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const logger = pino({ level: 'debug' }, pino.destination({ fd: 2, sync: true }));
let stop = () => {};
if (mode === 'discover') {
  const d = new MdnsDiscovery({
    advert: config.advert,
    logger,
    refreshMs: config.refreshMs,
    interface: config.interface,
    onCandidate: (c) => out({ event: 'candidate', candidate: c }),
    onGone: (id) => out({ event: 'gone', agentId: id }),
  });
  d.start();
  stop = () => d.dispose();
  let pending = '';
  process.stdin.setEncoding('utf8').on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\\n');
    pending = lines.pop();
    for (const line of lines) {
      const msg = JSON.parse(line);
      if (msg.cmd === 'update') { d.update(msg.advert); out({ event: 'updated' }); }
      if (msg.cmd === 'dispose') { d.dispose(); out({ event: 'disposed' }); }
    }
  });
} else {
  const b = new Bonjour({}, (err) => out({ event: 'error', message: String(err) }));
  b.server.mdns.on('error', (err) => out({ event: 'error', message: String(err) }));
  for (const s of config.services) b.publish({ ...s, type: 'devmesh', protocol: 'tcp', probe: false });
  stop = () => b.unpublishAll(() => b.destroy());
}
process.on('SIGTERM', () => { stop(); setTimeout(() => process.exit(0), 200); });
setInterval(() => out({ event: 'alive' }), 250);
out({ event: 'ready' });
`;

interface AgentEvent {
  event: string;
  candidate?: MdnsCandidate;
  agentId?: string;
  message?: string;
}

class AgentProcess {
  readonly events: AgentEvent[] = [];
  stderr = '';
  private buffer = '';
  private readonly waiters = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      const lines = this.buffer.split('\n');
      this.buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          this.events.push(JSON.parse(line) as AgentEvent);
        } catch {
          this.events.push({ event: 'unparsed', message: line });
        }
      }
      for (const w of this.waiters) w();
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (this.stderr.length < 1_000_000) this.stderr += chunk;
    });
    child.once('exit', () => {
      for (const w of this.waiters) w();
    });
  }

  send(message: object): void {
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  get candidates(): MdnsCandidate[] {
    return this.events.flatMap((e) => (e.event === 'candidate' && e.candidate ? [e.candidate] : []));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves true once `predicate` holds, false after `timeoutMs` or when the process exits. */
  waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolveWait) => {
      const check = (): void => {
        if (predicate()) return done(true);
        if (!this.alive) done(false);
      };
      const done = (value: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolveWait(value);
      };
      const timer = setTimeout(() => done(predicate()), timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

describe.skipIf(!NetnsLab.available())(`MdnsDiscovery across network namespaces (${NetnsLab.unavailableReason()})`, () => {
  const outDir = join(root, '.devmesh-test', `mdns-${process.pid}-${randomBytes(3).toString('hex')}`);
  const script = join(outDir, 'agent.mjs');
  const labs: NetnsLab[] = [];

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    await build({
      stdin: { contents: AGENT_SOURCE, resolveDir: root, loader: 'ts', sourcefile: 'mdns-agent.ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      packages: 'external',
      outfile: script,
      logLevel: 'silent',
    });
  });

  afterAll(async () => {
    await Promise.all(labs.map((l) => l.dispose()));
    rmSync(outDir, { recursive: true, force: true });
  });

  async function lab(count: number, multicast = true): Promise<NetnsLab> {
    const l = await NetnsLab.create(count, { multicast });
    labs.push(l);
    return l;
  }

  async function agent(l: NetnsLab, host: number, mode: 'discover' | 'raw', config: object): Promise<AgentProcess> {
    const p = new AgentProcess(l.spawn(host, process.execPath, [script, mode, JSON.stringify(config)], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] }));
    const ready = await p.waitFor(() => p.events.some((e) => e.event === 'ready'), 10_000);
    expect(ready, `agent in ${l.hosts[host]?.ns} did not start: ${p.stderr.slice(0, 2000)}`).toBe(true);
    return p;
  }

  it('two hosts find each other with the advert they published and their lab address', async () => {
    const l = await lab(2);
    const adverts = [advert({ name: 'alpha', port: 7001 }), advert({ name: 'beta', meshId: 'mesh-other', port: 7002 })];
    const agents = await Promise.all(adverts.map((a, i) => agent(l, i, 'discover', { advert: a })));
    for (const [i, a] of agents.entries()) {
      const other = adverts[1 - i]!;
      const found = await a.waitFor(() => a.candidates.some((c) => c.agentId === other.agentId), 10_000);
      expect(found, `host ${i} never saw host ${1 - i}; stderr: ${a.stderr.slice(-2000)}`).toBe(true);
      const c = a.candidates.find((x) => x.agentId === other.agentId)!;
      expect(c).toMatchObject({ agentId: other.agentId, name: other.name, meshId: other.meshId, port: other.port, protocol: MESH_PROTOCOL_VERSION });
      expect(c.addresses[0]).toBe(l.hosts[1 - i]!.ip);
      expect(c.host.length).toBeGreaterThan(0);
      // never itself, although multicast loops its own announcements back
      expect(a.candidates.some((x) => x.agentId === adverts[i]!.agentId)).toBe(false);
    }
    await l.kill(1);
    expect(agents[0]!.alive).toBe(true);
  });

  it('re-announces on update() and says goodbye on dispose()', async () => {
    const l = await lab(2);
    const mover = advert({ name: 'mover', meshId: '' });
    const [a, b] = await Promise.all([agent(l, 0, 'discover', { advert: mover }), agent(l, 1, 'discover', { advert: advert({ name: 'stayer' }) })]);
    expect(await b.waitFor(() => b.candidates.some((c) => c.agentId === mover.agentId && c.meshId === ''), 10_000)).toBe(true);
    a.send({ cmd: 'update', advert: { ...mover, meshId: 'mesh-joined', port: 7100 } });
    const updated = await b.waitFor(() => b.candidates.some((c) => c.agentId === mover.agentId && c.meshId === 'mesh-joined'), 10_000);
    expect(updated, b.stderr.slice(-2000)).toBe(true);
    const joined = b.candidates.find((c) => c.meshId === 'mesh-joined')!;
    expect(joined.port).toBe(7100);
    expect(joined.addresses[0]).toBe(l.hosts[0]!.ip);
    const goneBefore = b.events.filter((e) => e.event === 'gone').length;
    a.send({ cmd: 'dispose' });
    const gone = await b.waitFor(() => b.events.filter((e) => e.event === 'gone' && e.agentId === mover.agentId).length > goneBefore, 10_000);
    expect(gone).toBe(true);
    expect(a.alive && b.alive).toBe(true);
  });

  it('works bound to one interface address', async () => {
    const l = await lab(2);
    const adverts = [advert({ name: 'pinned' }), advert({ name: 'free' })];
    const [pinned, free] = await Promise.all([
      agent(l, 0, 'discover', { advert: adverts[0], interface: l.hosts[0]!.ip }),
      agent(l, 1, 'discover', { advert: adverts[1] }),
    ]);
    expect(await pinned!.waitFor(() => pinned!.candidates.some((c) => c.agentId === adverts[1]!.agentId), 10_000), pinned!.stderr.slice(-2000)).toBe(true);
    expect(await free!.waitFor(() => free!.candidates.some((c) => c.agentId === adverts[0]!.agentId), 10_000), free!.stderr.slice(-2000)).toBe(true);
  });

  it('logs a taken mDNS port and keeps running', async () => {
    const l = await lab(1);
    // A socket on 5353 without SO_REUSEADDR: the agent's bind fails with EADDRINUSE.
    const holder = l.spawn(0, process.execPath, ['-e', "require('dgram').createSocket({ type: 'udp4', reuseAddr: false }).bind(5353, () => console.log('bound'))"], { stdio: ['ignore', 'pipe', 'ignore'] });
    const bound = await new Promise<boolean>((r) => {
      const timer = setTimeout(() => r(false), 10_000);
      holder.stdout?.once('data', () => { clearTimeout(timer); r(true); });
    });
    expect(bound).toBe(true);
    const a = await agent(l, 0, 'discover', { advert: advert() });
    const logged = await a.waitFor(() => a.stderr.includes('EADDRINUSE'), 10_000);
    expect(logged, a.stderr.slice(-2000)).toBe(true);
    expect(a.stderr).toContain('mdns socket error');
    // still alive a few heartbeats later
    const aliveBefore = a.events.filter((e) => e.event === 'alive').length;
    expect(await a.waitFor(() => a.events.filter((e) => e.event === 'alive').length >= aliveBefore + 2, 5_000)).toBe(true);
  });

  it('finds nothing without a multicast route, and does not crash', async () => {
    const l = await lab(2, false);
    const agents = await Promise.all([0, 1].map((i) => agent(l, i, 'discover', { advert: advert({ name: `h${i}` }) })));
    await new Promise((r) => setTimeout(r, 1_500));
    for (const a of agents) {
      expect(a.candidates).toEqual([]);
      expect(a.alive, a.stderr.slice(-2000)).toBe(true);
    }
  });

  it('ignores malformed and other-version adverts without crashing', async () => {
    const l = await lab(2);
    const watcher = await agent(l, 0, 'discover', { advert: advert({ name: 'watcher' }) });
    const good = advert({ name: 'good' });
    const bad = randomUUID();
    const base = { txtvers: '1', id: bad, name: 'bad', mesh: 'mesh-test', port: '7001', proto: String(MESH_PROTOCOL_VERSION) };
    const services = [
      { name: 'bad-port', port: 7001, txt: { ...base, port: 'seventy' } },
      { name: 'bad-proto', port: 7001, txt: { ...base, proto: '99' } },
      { name: 'bad-txtvers', port: 7001, txt: { ...base, txtvers: '7' } },
      { name: 'no-id', port: 7001, txt: { txtvers: '1', name: 'x', mesh: 'mesh-test', port: '7001', proto: String(MESH_PROTOCOL_VERSION) } },
      { name: 'no-txt', port: 7001 },
      { name: 'junk', port: 7001, txt: { '': '\u0000\uffff', '=': '=', [`${'k'.repeat(200)}`]: 'v'.repeat(50) } },
      // published last, in the same process: once the watcher reports it, it has heard the others too
      { name: MdnsDiscovery.instanceName(good), port: good.port, txt: MdnsDiscovery.encodeTxt(good) },
    ];
    const publisher = await agent(l, 1, 'raw', { services });
    const found = await watcher.waitFor(() => watcher.candidates.some((c) => c.agentId === good.agentId), 10_000);
    expect(found, `watcher never saw the good advert; stderr: ${watcher.stderr.slice(-2000)}`).toBe(true);
    // a little longer, for any stragglers among the bad ones
    await watcher.waitFor(() => false, 500);
    expect(watcher.candidates.every((c) => c.agentId === good.agentId)).toBe(true);
    for (const s of services.slice(0, -1)) expect(watcher.stderr).toContain(`"instance":"${s.name}"`);
    expect(watcher.alive).toBe(true);
    expect(publisher.events.filter((e) => e.event === 'error')).toEqual([]);
  });
});
