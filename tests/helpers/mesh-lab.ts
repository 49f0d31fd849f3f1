// A team of real DevMesh daemons on a throwaway network (root only): a NetnsLab with one host namespace per
// agent (alice, bob, carol, ...), and in each a `devmesh up` with its own DEVMESH_HOME, agent name, peer
// port 7790 on the host's 10.x address, free proxy ports and a fast heartbeat, serving a project `shop` of
// tiny Node HTTP services that answer every request with JSON {agent, service, version, path, headers}.
// Membership (`devmesh mesh init` / `invite` / `join`) is set up before the daemons start, as a teammate
// would. Every CLI call and helper script runs inside the host's namespace, so it reaches that host's
// daemon on loopback. Everything is bounded in time; dispose() kills every process and removes every
// namespace and temporary folder. Needs `npm run build` (dist/cli/devmesh.js) first.
//
//   const lab = await MeshLab.create({ hosts: 3, multicast: false, staticPeers: { alice: ['bob'] } });
//   try {
//     const [alice, bob] = lab.hosts;
//     await lab.waitFullMesh();                                   // everyone sees everyone connected
//     await bob.waitPeerStates(['alice'], 'connected');           // or bob.waitPeers((peers) => ...)
//     const r = await bob.get(`http://127.0.0.1:${bob.proxyPort}/`, { headers: { host: 'api.localhost' } });
//     await alice.stopService('api'); await alice.kill9(); await alice.start();
//   } finally {
//     await lab.dispose();
//   }
// Every host's project folder is a git clone of one repository (`git: false` for plain folders), so the project
// has the same identity key on every host, as on teammates' machines (see mesh-lab-git.ts).
// MESHLAB_KEEP=1 keeps the lab's folder (homes, daemon logs) after dispose, for a post-mortem.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerInfo } from '../../shared/mesh.js';
import { NetnsLab } from './netns-lab.js';
import { cloneLabRepo, makeLabRepo } from './mesh-lab-git.js';
import {
  MESH_PORT,
  LAB_HEARTBEAT_MS,
  ROOT,
  DEFAULT_NAMES,
  DEFAULT_SERVICES,
  summarizePeers,
  type MeshLabOptions,
  type WaitOptions,
} from './mesh-lab-support.js';
import { MeshHost } from './mesh-host.js';

export * from './mesh-lab-support.js';
export { labGit, LAB_REPO_FILES } from './mesh-lab-git.js';
export { MeshHost } from './mesh-host.js';
export { LockDriver, type DriverAnswer } from './lock-driver.js';

export class MeshLab {
  readonly hosts: MeshHost[] = [];
  /** the invite line of the shared mesh (null when `members` was empty) */
  invite: string | null = null;
  /** the repository every host's project folder is a clone of (`git` option), null without git */
  repo: string | null = null;
  /** its root commit, what the project's identity key is made from */
  rootCommit: string | null = null;
  private disposed = false;

  private constructor(
    readonly netns: NetnsLab,
    readonly dir: string,
    readonly project: string,
    /** the daemons' heartbeat (DEVMESH_MESH_HEARTBEAT), what detection bounds are counted in */
    readonly heartbeatMs: number,
  ) {}

  static available(): boolean {
    return NetnsLab.available() && existsSync(join(ROOT, 'dist/cli/devmesh.js'));
  }

  static unavailableReason(): string {
    if (!NetnsLab.available()) return NetnsLab.unavailableReason();
    return 'dist/cli/devmesh.js is missing: run `npm run build` first';
  }

  static async create(options: MeshLabOptions = {}): Promise<MeshLab> {
    if (!existsSync(join(ROOT, 'dist/cli/devmesh.js')))
      throw new Error('MeshLab: dist/cli/devmesh.js is missing: run `npm run build` first');
    const names =
      typeof options.hosts === 'number' || options.hosts === undefined
        ? DEFAULT_NAMES.slice(0, options.hosts ?? 3)
        : options.hosts;
    if (names.length === 0 || names.length > DEFAULT_NAMES.length * 10)
      throw new Error(`MeshLab: ${names.length} hosts`);
    const multicast = options.multicast !== false;
    const bystanders = options.bystanders ?? 0;
    if (!Number.isInteger(bystanders) || bystanders < 0 || bystanders > 10)
      throw new Error(`MeshLab: ${bystanders} bystanders`);
    const netns = await NetnsLab.create(names.length + bystanders, { multicast });
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-meshlab-'));
    const lab = new MeshLab(netns, dir, options.project ?? 'shop', options.heartbeatMs ?? LAB_HEARTBEAT_MS);
    try {
      const mdns = options.mdns ?? multicast;
      if (options.git !== false) {
        lab.repo = join(dir, 'origin');
        lab.rootCommit = makeLabRepo(lab.repo);
        // before MeshHost writes its files (devmesh.yaml, server.js: ignored by the repository) into the clone
        for (const name of names) cloneLabRepo(lab.repo, join(dir, name, 'project'));
      }
      names.forEach((name, i) => {
        const h = netns.hosts[i]!;
        const env: Record<string, string> = {
          DEVMESH_HOME: join(dir, name, 'home'),
          DEVMESH_AGENT_NAME: name,
          // the human teammates see at this machine (presence): Alice at alice
          DEVMESH_HUMAN: name.charAt(0).toUpperCase() + name.slice(1),
          DEVMESH_MESH_HOST: h.ip,
          DEVMESH_MESH_PORT: String(MESH_PORT),
          DEVMESH_PROXY_HTTP_PORT: '0',
          DEVMESH_PROXY_HTTPS_PORT: '0',
          DEVMESH_MESH_INGRESS_PORT: '0',
          DEVMESH_MESH_HEARTBEAT: String(lab.heartbeatMs),
          DEVMESH_LOG_LEVEL: options.logLevel ?? 'info',
          ...(mdns ? {} : { DEVMESH_MESH_MDNS: 'off' }),
          ...options.env,
        };
        const services = (options.servicesByHost?.[name] ?? options.services ?? DEFAULT_SERVICES).map((s) => ({
          ...s,
        }));
        lab.hosts.push(new MeshHost(lab, i, name, h.ns, h.ip, join(dir, name), env, services));
      });
      for (const [name, peers] of Object.entries(options.staticPeers ?? {})) {
        lab.host(name).env.DEVMESH_MESH_PEERS = peers
          .map((p) => (p.includes(':') ? p : lab.host(p).meshAddress))
          .join(',');
      }
      const members = (options.members ?? names).map((n) => lab.host(n));
      if (members.length > 0) {
        await members[0]!.cli(['mesh', 'init']);
        lab.invite = (await members[0]!.cli(['mesh', 'invite'])).stdout.trim();
        const invite =
          options.inviteSeeds === false ? MeshLab.forgeInvite(lab.invite, { secret: 'keep', seeds: [] }) : lab.invite;
        await Promise.all(members.slice(1).map((h) => h.cli(['mesh', 'join', invite])));
      }
      if (options.start !== false) await lab.startAll();
    } catch (err) {
      await lab.dispose();
      throw err;
    }
    return lab;
  }

  host(name: string): MeshHost {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`MeshLab: no host ${name} (hosts: ${this.hosts.map((x) => x.name).join(', ')})`);
    return h;
  }

  /** The netns host index of bystander `i` (a namespace on the lab's network with no daemon). */
  bystander(i: number): number {
    const index = this.hosts.length + i;
    if (!Number.isInteger(i) || i < 0 || index >= this.netns.hosts.length)
      throw new Error(`MeshLab: no bystander ${i}`);
    return index;
  }

  async startAll(): Promise<void> {
    await Promise.all(this.hosts.filter((h) => !h.running).map((h) => h.start()));
  }

  /** Waits until every host in `names` (default all running ones) sees every other one connected. */
  async waitFullMesh(names?: readonly string[], opts: WaitOptions = {}): Promise<void> {
    const group = (names ?? this.hosts.filter((h) => h.running).map((h) => h.name)).map((n) => this.host(n));
    await Promise.all(
      group.map((h) =>
        h.waitPeerStates(
          group.filter((o) => o !== h).map((o) => o.name),
          'connected',
          opts,
        ),
      ),
    );
  }

  /** The invite changed: by default its secret replaced by a wrong one of valid form (mesh id kept);
   * `secret: 'keep'` keeps it; `seeds` replaces the seed addresses. */
  static forgeInvite(invite: string, change: { secret?: string; meshId?: string; seeds?: string[] } = {}): string {
    const prefix = 'dmi1.';
    const body = JSON.parse(Buffer.from(invite.trim().slice(prefix.length), 'base64url').toString('utf8')) as {
      m: string;
      s: string;
      a: string[];
    };
    const flipped = body.s[0] === 'A' ? `B${body.s.slice(1)}` : `A${body.s.slice(1)}`;
    const secret = change.secret === 'keep' ? body.s : (change.secret ?? flipped);
    const forged = { m: change.meshId ?? body.m, s: secret, a: change.seeds ?? body.a };
    return prefix + Buffer.from(JSON.stringify(forged)).toString('base64url');
  }

  /** One line per peer, for failure messages. */
  static summarize(peers: PeerInfo[]): string {
    return summarizePeers(peers);
  }

  /** Daemon output and log tails of every host, for a failed test's message. */
  diagnostics(tail = 4000): string {
    return this.hosts
      .map(
        (h) => `--- ${h.name} (${h.ip}) output:\n${h.output.slice(-1000)}\n--- ${h.name} log:\n${h.log().slice(-tail)}`,
      )
      .join('\n');
  }

  /** Kills every process of the lab, deletes its namespaces and (unless MESHLAB_KEEP=1) its folder. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // A frozen daemon cannot die of SIGTERM; SIGKILL works on it, but thaw it first all the same.
    for (const h of this.hosts) {
      try {
        h.resume();
      } catch {
        // already gone
      }
    }
    await this.netns.dispose();
    if (process.env.MESHLAB_KEEP !== '1') rmSync(this.dir, { recursive: true, force: true });
  }
}
