// `devmesh mesh init|join|invite|leave|info`, `devmesh peers`, `devmesh graph`, `devmesh alerts`: this
// agent's mesh membership (files in $DEVMESH_HOME, usable without a running DevMesh) and what the
// running DevMesh sees of its teammates.
import type { GraphEdge, MeshInfo, PeerInfo, ServiceGraph, VersionAlert } from '../../../shared/mesh.js';
import { MeshMembership } from '../../core/mesh/mesh-membership.js';
import * as lanAddresses from '../../core/mesh/lan-addresses.js';
import * as userSettings from '../../core/settings/user-settings.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { TextTable } from '../text-table.js';
import { UsageError } from '../usage-error.js';

const ACTIONS = ['init', 'join', 'invite', 'leave', 'info'] as const;

export class MeshCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'mesh',
        summary: 'join your teammates: create a mesh, invite, join, leave, show membership',
        usage: `Usage: devmesh mesh init [--id ID] [--force]
       devmesh mesh invite
       devmesh mesh join <invite> [--force]
       devmesh mesh leave
       devmesh mesh info [--json]

A mesh is a team's DevMesh agents: they find each other (mDNS on the LAN, mesh.peers in config.yaml
over VPNs), link with mutual authentication over the mesh secret, share their services, and route
<service>.localhost to a teammate's instance when yours is not running.

Actions:
  init    create a new mesh (an id and a secret) for this agent
  invite  print an invite line for a teammate; it holds the mesh secret: share it like a password
  join    join the mesh an invite names (its seed addresses are dialed first)
  leave   leave the mesh (the file is kept as mesh.json.left)
  info    print this agent's id, name, mesh and peer port
A running DevMesh takes up a new membership at once (its links start over).`,
        options: { id: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
        positionals: { min: 1, max: 2, name: '<init|invite|join|leave|info> [invite]' },
        run: (ctx, args) => this.mesh(ctx, args),
      },
      {
        name: 'peers',
        summary: "list this agent's peers: address, state, latency, last heartbeat, services",
        usage: 'Usage: devmesh peers [--json]',
        options: { json: { type: 'boolean' } },
        positionals: { min: 0, max: 0, name: '' },
        run: (ctx, args) => this.peers(ctx, args),
      },
      {
        name: 'graph',
        summary: 'print the service graph (this agent and its peers) as text, --json or --dot',
        usage:
          'Usage: devmesh graph [--json | --dot]\n\nNodes are services grouped by agent; edges are declared dependencies to each instance that\ncould serve them, marked MISMATCH when the version is outside the declared range, and calls\nthe proxy saw a service make without declaring them (undeclared). An edge with traffic shows\nits requests per second, error rate and p95 latency over the last 10 seconds.',
        options: { json: { type: 'boolean' }, dot: { type: 'boolean' } },
        positionals: { min: 0, max: 0, name: '' },
        run: (ctx, args) => this.graph(ctx, args),
      },
      {
        name: 'alerts',
        summary: 'list version-mismatch alerts (a dependency served outside its declared range)',
        usage: 'Usage: devmesh alerts [--limit N] [--json]',
        options: { json: { type: 'boolean' }, limit: { type: 'string' } },
        positionals: { min: 0, max: 0, name: '' },
        run: (ctx, args) => this.alerts(ctx, args),
      },
    ];
  }

  private async mesh(ctx: CliContext, args: CommandArgs): Promise<number> {
    const action = args.positionals[0] as (typeof ACTIONS)[number];
    if (!ACTIONS.includes(action))
      throw new UsageError(`unknown action '${action}': use ${ACTIONS.join(', ')}`, 'mesh');
    if ((action === 'join') !== (args.positionals.length === 2))
      throw new UsageError(action === 'join' ? 'join needs the invite line' : `'${action}' takes no argument`, 'mesh');
    ctx.home.ensure();
    const membership = new MeshMembership(ctx.home.dir);
    const settings = userSettings.load(ctx.home.dir);
    switch (action) {
      case 'init': {
        const m = membership.init({ meshId: args.string('id'), force: args.flag('force') });
        ctx.print(`Created mesh ${m.meshId}. Invite teammates with \`devmesh mesh invite\`.`);
        await this.reloadRunning(ctx);
        return EXIT.ok;
      }
      case 'join': {
        const m = membership.join(args.positionals[1]!, { force: args.flag('force') });
        ctx.print(
          `Joined mesh ${m.meshId}${m.seeds.length ? `; DevMesh dials its seeds (${m.seeds.join(', ')}) at every start` : ''}.`,
        );
        await this.reloadRunning(ctx);
        return EXIT.ok;
      }
      case 'invite': {
        const seeds = lanAddresses.list().map((ip) => `${ip}:${settings.mesh.port}`);
        ctx.print(membership.invite(seeds));
        ctx.warn(
          'This line holds the mesh secret: share it like a password. Teammates run `devmesh mesh join <line>`.',
        );
        return EXIT.ok;
      }
      case 'leave':
        if (!membership.leave()) {
          ctx.print('This agent is not in a mesh.');
          return EXIT.ok;
        }
        ctx.print('Left the mesh.');
        await this.reloadRunning(ctx);
        return EXIT.ok;
      case 'info': {
        const m = membership.read();
        const info: Omit<MeshInfo, 'problems' | 'mdns' | 'addresses'> & { peers: string[] } = {
          member: m !== null,
          meshId: m?.meshId ?? null,
          agentId: membership.agentId,
          name: settings.mesh.name,
          port: settings.mesh.port,
          ingressPort: settings.mesh.ingressPort,
          peers: settings.mesh.peers,
        };
        if (args.flag('json')) ctx.printJson(info);
        else {
          ctx.print(`Agent:  ${info.name} (${info.agentId})`);
          ctx.print(`Mesh:   ${info.meshId ?? 'none: `devmesh mesh init` or `devmesh mesh join <invite>`'}`);
          ctx.print(`Port:   ${info.port} (mesh.port); peer ingress ${info.ingressPort} (mesh.ingress_port, HTTPS)`);
          ctx.print(`Peers:  ${info.peers.join(', ') || 'none listed (mesh.peers); mDNS finds LAN peers'}`);
        }
        return EXIT.ok;
      }
    }
  }

  /** A running DevMesh starts over with the new membership; with none running, the next start reads it. */
  private async reloadRunning(ctx: CliContext): Promise<void> {
    if (ctx.home.readLiveDaemonRecord() === null) {
      ctx.print('DevMesh is not running: it uses this membership when it starts (devmesh up).');
      return;
    }
    try {
      const info = await ctx.withClient((client) => client.call('mesh.reload', {}));
      ctx.print(
        info.member
          ? `The running DevMesh is now in mesh ${info.meshId}, listening for peers on port ${info.port ?? 'none'}.`
          : 'The running DevMesh left the mesh: it has no peers now.',
      );
      for (const p of info.problems) ctx.warn(`devmesh: ${p}`);
    } catch (err) {
      ctx.warn(
        `devmesh: the membership is saved, but the running DevMesh did not take it up (${(err as Error).message}); restart it: devmesh down; devmesh up`,
      );
    }
  }

  private peers(ctx: CliContext, args: CommandArgs): Promise<number> {
    return ctx.withClient(async (client) => {
      const [info, peers] = await Promise.all([client.call('mesh.info', {}), client.call('mesh.peers', {})]);
      if (args.flag('json')) {
        ctx.printJson(peers);
        return EXIT.ok;
      }
      for (const p of info.problems) ctx.warn(`devmesh: ${p}`);
      if (!info.member) {
        ctx.print('This agent is not in a mesh: `devmesh mesh init`, or `devmesh mesh join <invite>` from a teammate.');
        return EXIT.ok;
      }
      if (peers.length === 0) {
        ctx.print(`No peers yet (mesh ${info.meshId}, listening on port ${info.port ?? 'none'}).`);
        return EXIT.ok;
      }
      ctx.print(MeshCommands.peerTable(peers));
      return EXIT.ok;
    });
  }

  static peerTable(peers: PeerInfo[]): string {
    const t = new TextTable(['PEER', 'ADDRESS', 'STATE', 'LATENCY', 'HEARTBEAT', 'SERVICES']);
    const now = Date.now();
    for (const p of peers) {
      t.add([
        p.name,
        p.address ?? '-',
        p.state,
        p.latencyMs === null ? '-' : `${p.latencyMs.toFixed(1)} ms`,
        p.lastHeartbeat === null ? '-' : `${Math.max(0, Math.round((now - p.lastHeartbeat) / 1000))} s ago`,
        p.services.map((s) => `${s.name}@${s.version}`).join(', ') || '-',
      ]);
    }
    return t.render();
  }

  private graph(ctx: CliContext, args: CommandArgs): Promise<number> {
    if (args.flag('json') && args.flag('dot')) throw new UsageError('choose one of --json and --dot', 'graph');
    return ctx.withClient(async (client) => {
      const graph = await client.call('mesh.graph', {});
      if (args.flag('json')) ctx.printJson(graph);
      else ctx.print(args.flag('dot') ? MeshCommands.dot(graph) : MeshCommands.text(graph));
      return EXIT.ok;
    });
  }

  static text(g: ServiceGraph): string {
    if (g.nodes.length === 0) return 'No services: open a project with `devmesh open DIR`.';
    const lines: string[] = [];
    for (const a of g.agents) {
      const nodes = g.nodes.filter((n) => n.agentId === a.agentId);
      if (nodes.length === 0 && a.local) continue;
      lines.push(`${a.local ? `${a.name} (this machine)` : `${a.name} (${a.state})`}`);
      for (const n of nodes) {
        lines.push(
          `  ${n.project}/${n.service}@${n.version}  ${n.state}${n.requestsPerSec ? `  ${n.requestsPerSec.toFixed(1)} req/s` : ''}`,
        );
        for (const e of g.edges.filter((x) => x.from === n.id)) {
          const to = g.nodes.find((x) => x.id === e.to)!;
          const what = e.declared ? `${e.dependency} ${e.range ?? '*'}` : `${e.dependency} (undeclared)`;
          const traffic = MeshCommands.edgeTraffic(e);
          lines.push(
            `    → ${what}: ${to.agentName}/${to.service}@${to.version}${e.satisfied ? '' : '  MISMATCH'}${traffic ? `  ${traffic}` : ''}`,
          );
        }
      }
    }
    return lines.join('\n');
  }

  static dot(g: ServiceGraph): string {
    // JSON quoting suits DOT: quotes and backslashes escaped, a newline as `\n`, where Graphviz breaks a label.
    const q = (s: string) => JSON.stringify(s);
    const out = ['digraph devmesh {', '  rankdir=LR;', '  node [shape=box];'];
    g.agents.forEach((a, i) => {
      out.push(`  subgraph cluster_${i} {`, `    label=${q(a.local ? `${a.name} (this machine)` : a.name)};`);
      for (const n of g.nodes.filter((x) => x.agentId === a.agentId))
        out.push(`    ${q(n.id)} [label=${q(`${n.service}@${n.version}\n${n.state}`)}];`);
      out.push('  }');
    });
    for (const e of g.edges) {
      const traffic = MeshCommands.edgeTraffic(e);
      const label = `${e.declared ? (e.range ?? '*') : 'undeclared'}${traffic ? `\n${traffic}` : ''}`;
      const style = !e.satisfied ? ', color=red, style=dashed' : e.declared ? '' : ', style=dashed';
      out.push(`  ${q(e.from)} -> ${q(e.to)} [label=${q(label)}${style}];`);
    }
    out.push('}');
    return out.join('\n');
  }

  /** `12.0 req/s, 5% errors, p95 3.1 ms`, or '' when the edge carries no traffic now */
  static edgeTraffic(e: GraphEdge): string {
    if (e.requestsPerSec <= 0) return '';
    const share = (e.errorsPerSec / e.requestsPerSec) * 100;
    // a few errors among many requests must not read as none
    const errors = share > 0 && share < 1 ? '<1' : String(Math.round(share));
    return `${e.requestsPerSec.toFixed(1)} req/s, ${errors}% errors${e.p95Ms !== null ? `, p95 ${e.p95Ms.toFixed(1)} ms` : ''}`;
  }

  private alerts(ctx: CliContext, args: CommandArgs): Promise<number> {
    const limit = args.string('limit') === undefined ? 100 : Number(args.string('limit'));
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new UsageError('--limit takes a whole number 1-1000', 'alerts');
    return ctx.withClient(async (client) => {
      const alerts: VersionAlert[] = await client.call('mesh.alerts', { limit });
      if (args.flag('json')) ctx.printJson(alerts);
      else if (alerts.length === 0) ctx.print('No version alerts.');
      else {
        const t = new TextTable(['LAST SEEN', 'CALLER', 'NEEDS', 'GOT', 'ACTION', 'COUNT']);
        for (const a of alerts) {
          t.add([
            new Date(a.lastTs).toLocaleString(),
            `${a.caller.project}/${a.caller.service}`,
            `${a.dependency} ${a.range}`,
            `${a.instance.agent}/${a.instance.service}@${a.instance.version}`,
            a.action,
            a.count,
          ]);
        }
        ctx.print(t.render());
      }
      return EXIT.ok;
    });
  }
}
