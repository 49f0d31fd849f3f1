// Teammates' daemons in one process for the team's tests: real DevMeshCores (SQLite on disk, the real lock
// spaces, presence and mesh locks) linked on loopback in one mesh, each opening its own clone of one git
// repository (so the project has the same identity key on every machine). `cut(a)` destroys a's link sockets
// without a goodbye, as a pulled cable would (the dialer reconnects with backoff). Dispose in afterEach.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { DevMeshEvent } from '../../shared/events.js';
import { DevMeshCore } from '../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { MeshMembership } from '../../main/core/mesh/mesh-membership.js';
import { scaled } from './load-scale.js';
import { until } from './until.js';

export interface TeamCore {
  name: string;
  core: DevMeshCore;
  root: string;
  events: DevMeshEvent[];
}

const GIT_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, env: GIT_ENV, stdio: 'pipe' });
}

export class TeamCores {
  readonly members: TeamCore[] = [];
  private readonly dirs: string[] = [];

  /** `names.length` daemons of one mesh, each with a clone of one repository open as project `shop` */
  static async open(names: string[]): Promise<TeamCores> {
    const team = new TeamCores();
    try {
      const origin = team.tmp('devmesh-team-origin-');
      const idle = `'${process.execPath}' -e "setInterval(() => {}, 1000)"`;
      writeFileSync(
        join(origin, 'devmesh.yaml'),
        `project: shop\nservices:\n  idle:\n    version: 1.0.0\n    command: ${JSON.stringify(idle)}\n    autostart: false\n`,
      );
      git(origin, 'init', '-q');
      git(origin, 'add', 'devmesh.yaml');
      git(origin, 'commit', '-q', '-m', 'first');
      let founder: string | null = null;
      for (const name of names) {
        const home = team.tmp(`devmesh-team-${name}-`);
        const root = join(team.tmp(`devmesh-team-${name}-src-`), 'shop');
        git(origin, 'clone', '-q', origin, root);
        const membership = new MeshMembership(home);
        const seeds: string[] = [];
        if (founder === null) membership.init();
        else {
          const first = team.members[0]!;
          seeds.push(`127.0.0.1:${first.core.mesh.port}`);
          membership.join(new MeshMembership(founder).invite(seeds));
        }
        founder ??= home;
        writeFileSync(
          join(home, 'config.yaml'),
          `mesh:\n  name: ${name}\n  host: 127.0.0.1\n  port: 0\n  mdns: false\n  heartbeat_ms: ${scaled(200)}\n` +
            `  peers: [${seeds.map((s) => `"${s}"`).join(', ')}]\nteam:\n  human: ${name}-human\n`,
        );
        const core = await DevMeshCore.open({
          home: new DevMeshHome(home),
          version: 'test',
          logger: pino({ level: process.env.TEAM_DEBUG ? 'debug' : 'silent' }),
          projects: [root],
        });
        const events: DevMeshEvent[] = [];
        core.events.onDidEmitEvent((e) => events.push(e));
        team.members.push({ name, core, root, events });
      }
      await team.waitLinked();
      return team;
    } catch (err) {
      await team.dispose();
      throw err;
    }
  }

  get(name: string): TeamCore {
    const m = this.members.find((x) => x.name === name);
    if (!m) throw new Error(`no member ${name}`);
    return m;
  }

  /** every member sees every other with the project identified (presence heard: mesh locks take part) */
  async waitLinked(): Promise<void> {
    for (const m of this.members) {
      await until(`${m.name} identified its project`, () => m.core.projects.list()[0]?.identity?.key, scaled(20_000));
    }
    const key = this.members[0]!.core.projects.list()[0]!.identity!.key;
    for (const m of this.members)
      await until(
        `${m.name} hears every teammate with the project`,
        () =>
          m.core.team.presence
            .machines()
            .filter((x) => !x.local && x.reachable && x.projects.some((p) => p.key === key)).length ===
          this.members.length - 1,
        scaled(20_000),
      );
  }

  /** destroys `name`'s link sockets, without a goodbye (the dialers reconnect with backoff) */
  cut(name: string): void {
    const node = this.get(name).core.mesh as unknown as {
      peers: Map<string, { link: { auth: { ws: { _socket?: { destroy(): void } } } } | null }>;
    };
    for (const p of node.peers.values()) p.link?.auth.ws._socket?.destroy();
  }

  async dispose(): Promise<void> {
    for (const m of this.members.splice(0).reverse()) await m.core.dispose();
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }

  private tmp(prefix: string): string {
    const d = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(d);
    return d;
  }
}
