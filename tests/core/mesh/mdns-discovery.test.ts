// MdnsDiscovery: real mDNS between processes in network namespaces (root only), checked with an
// independent resolver (python3-zeroconf) too. Its records and names as units: mdns-records.test.ts.
// Code runs inside a namespace as a small esbuild bundle under .devmesh-test/ (so node_modules resolves),
// started with this Node through NetnsLab.spawn; it prints one JSON line per event on stdout.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MdnsAdvertiser } from '../../../main/core/mesh/mdns-advertiser.js';
import { MdnsDiscovery, MESH_PROTOCOL_VERSION, type MdnsCandidate } from '../../../main/core/mesh/mdns-discovery.js';
import { scaled } from '../../helpers/load-scale.js';
import { advert } from './mdns-advert.js';
import { ZeroconfResolver } from '../../helpers/mdns-resolvers.js';
import { NetnsLab } from '../../helpers/netns-lab.js';

const root = resolve(__dirname, '../../..');

// The agent run inside a namespace. Modes: `discover` runs MdnsDiscovery with the advert in argv; `split`
// announces an advert without its host's address and answers the host's A query apart; `raw`
// publishes adverts with bare bonjour-service (malformed TXT included).
const AGENT_SOURCE = `
import { Bonjour } from 'bonjour-service';
import multicastDns from 'multicast-dns';
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
    ...(config.addresses ? { addresses: () => config.addresses } : {}),
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
} else if (mode === 'split') {
  // a responder that announces PTR, SRV and TXT without its host's A record, and answers A queries apart
  const m = multicastDns();
  const type = '_devmesh._tcp.local';
  const fqdn = config.instance + '.' + type;
  const service = [
    { name: type, type: 'PTR', ttl: 4500, data: fqdn },
    { name: fqdn, type: 'SRV', ttl: 120, data: { port: config.port, target: config.host } },
    { name: fqdn, type: 'TXT', ttl: 4500, data: Object.entries(config.txt).map(([k, v]) => k + '=' + v) },
  ];
  m.on('query', (q) => {
    for (const question of q.questions) {
      if (question.name === type) m.respond({ answers: service });
      if (question.name.toLowerCase() === config.host.toLowerCase() && question.type === 'A') {
        out({ event: 'asked', name: question.name });
        m.respond({ answers: [{ name: config.host, type: 'A', ttl: 120, data: config.address }] });
      }
    }
  });
  m.respond({ answers: service });
  stop = () => m.destroy();
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

const zeroconfMissing = ZeroconfResolver.unavailableReason();

describe.skipIf(!NetnsLab.available())(
  `MdnsDiscovery across network namespaces${NetnsLab.available() ? '' : ` (skipped: ${NetnsLab.unavailableReason()})`}`,
  { timeout: scaled(30_000) },
  () => {
    const outDir = join(root, '.devmesh-test', `mdns-${process.pid}-${randomBytes(3).toString('hex')}`);
    const script = join(outDir, 'agent.mjs');
    // promises, not labs: a test that times out while its lab is being made must not leave that lab behind
    const labs: Array<Promise<NetnsLab>> = [];

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

    // each test's lab goes with it: its agents would otherwise keep running (and load the machine) to the end
    afterEach(async () => {
      await Promise.all(labs.splice(0).map((l) => l.then((x) => x.dispose()).catch(() => undefined)));
    }, scaled(60_000));

    afterAll(() => rmSync(outDir, { recursive: true, force: true }));

    async function lab(count: number, multicast = true): Promise<NetnsLab> {
      const l = NetnsLab.create(count, { multicast });
      labs.push(l);
      return l;
    }

    async function agent(
      l: NetnsLab,
      host: number,
      mode: 'discover' | 'raw' | 'split',
      config: object,
    ): Promise<AgentProcess> {
      const p = new AgentProcess(
        l.spawn(host, process.execPath, [script, mode, JSON.stringify(config)], {
          cwd: root,
          stdio: ['pipe', 'pipe', 'pipe'],
        }),
      );
      const ready = await p.waitFor(() => p.events.some((e) => e.event === 'ready'), scaled(10_000));
      expect(ready, `agent in ${l.hosts[host]?.ns} did not start: ${p.stderr.slice(0, 2000)}`).toBe(true);
      return p;
    }

    it('two hosts find each other with the advert they published and their lab address', async () => {
      const l = await lab(2);
      const adverts = [
        advert({ name: 'alpha', port: 7001 }),
        advert({ name: 'beta', meshId: 'mesh-other', port: 7002 }),
      ];
      const agents = await Promise.all(adverts.map((a, i) => agent(l, i, 'discover', { advert: a })));
      for (const [i, a] of agents.entries()) {
        const other = adverts[1 - i]!;
        const found = await a.waitFor(() => a.candidates.some((c) => c.agentId === other.agentId), scaled(10_000));
        expect(found, `host ${i} never saw host ${1 - i}; stderr: ${a.stderr.slice(-2000)}`).toBe(true);
        const c = a.candidates.find((x) => x.agentId === other.agentId)!;
        expect(c).toMatchObject({
          agentId: other.agentId,
          name: other.name,
          meshId: other.meshId,
          port: other.port,
          protocol: MESH_PROTOCOL_VERSION,
        });
        // the other's own host name (all namespaces share this machine's hostname), resolved to its address alone
        expect(c.host).toBe(MdnsAdvertiser.hostName(hostname(), other.agentId));
        expect(c.addresses).toEqual([l.hosts[1 - i]!.ip]);
        // never itself, although multicast loops its own announcements back
        expect(a.candidates.some((x) => x.agentId === adverts[i]!.agentId)).toBe(false);
      }
      await l.kill(1);
      expect(agents[0]!.alive).toBe(true);
    });

    it.skipIf(zeroconfMissing)(
      `resolves each agent's host to its own address with zeroconf, on a shared hostname ${zeroconfMissing ?? ''}`,
      async () => {
        const l = await lab(3);
        const adverts = [advert({ name: 'alpha', port: 7001 }), advert({ name: 'beta', port: 7002 })];
        const agents = await Promise.all(adverts.map((a, i) => agent(l, i, 'discover', { advert: a })));
        for (const [i, a] of agents.entries()) {
          expect(
            await a.waitFor(() => a.candidates.some((c) => c.agentId === adverts[1 - i]!.agentId), scaled(10_000)),
            a.stderr.slice(-2000),
          ).toBe(true);
        }
        // python3-zeroconf in a third namespace: browse, then SRV target and its A/AAAA records, as any client
        const found = await ZeroconfResolver.browse(l, 2, 2);
        for (const [i, a] of adverts.entries()) {
          const seen = found.find((f) => f.instance === MdnsDiscovery.instanceName(a));
          expect(seen, JSON.stringify(found)).toBeDefined();
          expect(seen!.host).toBe(MdnsAdvertiser.hostName(hostname(), a.agentId));
          expect(seen!.addresses).toEqual([l.hosts[i]!.ip]);
          expect(seen!.port).toBe(a.port);
        }
      },
    );

    it('announces only the addresses the agent serves on, and teammates dial those, not the sender address', async () => {
      const l = await lab(3);
      // host 0 has two addresses; its agent serves on the second only (its packets leave from the first)
      const served = await l.addAddress(0, 201);
      const adverts = [advert({ name: 'pinned' }), advert({ name: 'peer' })];
      const [, peer] = await Promise.all([
        agent(l, 0, 'discover', { advert: adverts[0], addresses: [served] }),
        agent(l, 1, 'discover', { advert: adverts[1] }),
      ]);
      expect(
        await peer!.waitFor(() => peer!.candidates.some((c) => c.agentId === adverts[0]!.agentId), scaled(10_000)),
        peer!.stderr.slice(-2000),
      ).toBe(true);
      expect(peer!.candidates.find((c) => c.agentId === adverts[0]!.agentId)!.addresses).toEqual([served]);
      if (!zeroconfMissing) {
        const seen = (await ZeroconfResolver.browse(l, 2, 2)).find(
          (f) => f.instance === MdnsDiscovery.instanceName(adverts[0]!),
        );
        expect(seen?.addresses).toEqual([served]);
      }
    });

    it("resolves an advert's host by query when its packet carries no address, and dials what it resolved", async () => {
      const l = await lab(2);
      const elsewhere = await l.addAddress(1, 202);
      const watcher = await agent(l, 0, 'discover', { advert: advert({ name: 'watcher' }) });
      const other = advert({ name: 'split' });
      const split = await agent(l, 1, 'split', {
        instance: MdnsDiscovery.instanceName(other),
        host: 'split-host.local',
        port: other.port,
        txt: MdnsDiscovery.encodeTxt(other),
        address: elsewhere,
      });
      expect(
        await watcher.waitFor(() => watcher.candidates.some((c) => c.agentId === other.agentId), scaled(10_000)),
        watcher.stderr.slice(-2000),
      ).toBe(true);
      const c = watcher.candidates.find((x) => x.agentId === other.agentId)!;
      expect(c.host).toBe('split-host.local');
      // not the sender's address (.2): the address the host name resolved to
      expect(c.addresses).toEqual([elsewhere]);
      expect(split.events.some((e) => e.event === 'asked')).toBe(true);
    });

    it('re-announces on update() and says goodbye on dispose()', async () => {
      const l = await lab(2);
      const mover = advert({ name: 'mover', meshId: '' });
      const [a, b] = await Promise.all([
        agent(l, 0, 'discover', { advert: mover }),
        agent(l, 1, 'discover', { advert: advert({ name: 'stayer' }) }),
      ]);
      expect(
        await b.waitFor(() => b.candidates.some((c) => c.agentId === mover.agentId && c.meshId === ''), scaled(10_000)),
      ).toBe(true);
      a.send({ cmd: 'update', advert: { ...mover, meshId: 'mesh-joined', port: 7100 } });
      const updated = await b.waitFor(
        () => b.candidates.some((c) => c.agentId === mover.agentId && c.meshId === 'mesh-joined'),
        scaled(10_000),
      );
      expect(updated, b.stderr.slice(-2000)).toBe(true);
      const joined = b.candidates.find((c) => c.meshId === 'mesh-joined')!;
      expect(joined.port).toBe(7100);
      expect(joined.addresses[0]).toBe(l.hosts[0]!.ip);
      const goneBefore = b.events.filter((e) => e.event === 'gone').length;
      a.send({ cmd: 'dispose' });
      const gone = await b.waitFor(
        () => b.events.filter((e) => e.event === 'gone' && e.agentId === mover.agentId).length > goneBefore,
        scaled(10_000),
      );
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
      expect(
        await pinned!.waitFor(() => pinned!.candidates.some((c) => c.agentId === adverts[1]!.agentId), scaled(10_000)),
        pinned!.stderr.slice(-2000),
      ).toBe(true);
      expect(
        await free!.waitFor(() => free!.candidates.some((c) => c.agentId === adverts[0]!.agentId), scaled(10_000)),
        free!.stderr.slice(-2000),
      ).toBe(true);
    });

    it('logs a taken mDNS port and keeps running', async () => {
      const l = await lab(1);
      // A socket on 5353 without SO_REUSEADDR: the agent's bind fails with EADDRINUSE.
      const holder = l.spawn(
        0,
        process.execPath,
        [
          '-e',
          "require('dgram').createSocket({ type: 'udp4', reuseAddr: false }).bind(5353, () => console.log('bound'))",
        ],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      );
      const bound = await new Promise<boolean>((r) => {
        const timer = setTimeout(() => r(false), scaled(10_000));
        holder.stdout?.once('data', () => {
          clearTimeout(timer);
          r(true);
        });
      });
      expect(bound).toBe(true);
      const a = await agent(l, 0, 'discover', { advert: advert() });
      const logged = await a.waitFor(() => a.stderr.includes('EADDRINUSE'), scaled(10_000));
      expect(logged, a.stderr.slice(-2000)).toBe(true);
      expect(a.stderr).toContain('mdns socket error');
      // still alive a few heartbeats later
      const aliveBefore = a.events.filter((e) => e.event === 'alive').length;
      expect(
        await a.waitFor(() => a.events.filter((e) => e.event === 'alive').length >= aliveBefore + 2, scaled(5_000)),
      ).toBe(true);
    });

    it('finds nothing without a multicast route, and does not crash', async () => {
      const l = await lab(2, false);
      const agents = await Promise.all(
        [0, 1].map((i) => agent(l, i, 'discover', { advert: advert({ name: `h${i}` }) })),
      );
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
      const base = {
        txtvers: '1',
        id: bad,
        name: 'bad',
        mesh: 'mesh-test',
        port: '7001',
        proto: String(MESH_PROTOCOL_VERSION),
      };
      const services = [
        { name: 'bad-port', port: 7001, txt: { ...base, port: 'seventy' } },
        { name: 'bad-proto', port: 7001, txt: { ...base, proto: '99' } },
        { name: 'bad-txtvers', port: 7001, txt: { ...base, txtvers: '7' } },
        {
          name: 'no-id',
          port: 7001,
          txt: { txtvers: '1', name: 'x', mesh: 'mesh-test', port: '7001', proto: String(MESH_PROTOCOL_VERSION) },
        },
        { name: 'no-txt', port: 7001 },
        { name: 'junk', port: 7001, txt: { '': '\u0000\uffff', '=': '=', [`${'k'.repeat(200)}`]: 'v'.repeat(50) } },
        // published last, in the same process: once the watcher reports it, it has heard the others too
        { name: MdnsDiscovery.instanceName(good), port: good.port, txt: MdnsDiscovery.encodeTxt(good) },
      ];
      const publisher = await agent(l, 1, 'raw', { services });
      const found = await watcher.waitFor(
        () => watcher.candidates.some((c) => c.agentId === good.agentId),
        scaled(10_000),
      );
      expect(found, `watcher never saw the good advert; stderr: ${watcher.stderr.slice(-2000)}`).toBe(true);
      // a little longer, for any stragglers among the bad ones
      await watcher.waitFor(() => false, 500);
      expect(watcher.candidates.every((c) => c.agentId === good.agentId)).toBe(true);
      for (const s of services.slice(0, -1)) expect(watcher.stderr).toContain(`"instance":"${s.name}"`);
      expect(watcher.alive).toBe(true);
      expect(publisher.events.filter((e) => e.event === 'error')).toEqual([]);
    });
  },
);
