// The user's own settings, in $DEVMESH_HOME/config.yaml (all optional): where the proxy listens, and how
// this agent meets its mesh (peer port, static peers, mDNS, its display name), and what the machine lends
// to AI coding agents (`agents.budget`: declared RAM and GPUs; `agents.profiles`: the user's own CLIs).
// Environment variables override the file (DEVMESH_PROXY_HTTP_PORT, DEVMESH_PROXY_HTTPS_PORT,
// DEVMESH_PROXY_HOST, DEVMESH_MESH_PORT, DEVMESH_MESH_HOST, DEVMESH_MESH_PEERS (comma-separated),
// DEVMESH_MESH_MDNS=off, DEVMESH_MESH_HEARTBEAT, DEVMESH_AGENT_NAME, DEVMESH_HUMAN), which is how tests and a
// second instance pick other ports. `team.human` is the person teammates see beside this machine's agents.
import { hostname, userInfo } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { DevMeshError } from '../../../shared/errors.js';
import { AgentProfileConfigSchema, type AgentProfileConfig } from '../../../shared/agent.js';
import { MetricsSettingsFileSchema, metricsSettings, type MetricsSettings } from './metrics-settings.js';

const Port = z.number().int().min(0).max(65535);

const SettingsFileSchema = z
  .object({
    proxy: z
      .object({
        /** loopback by default; 0.0.0.0 exposes every service to the network, so it must be asked for */
        host: z.string().min(1).optional(),
        http_port: Port.optional(),
        /** null or false: no HTTPS listener */
        https_port: z.union([Port, z.null(), z.literal(false)]).optional(),
        enabled: z.boolean().optional(),
      })
      .strict()
      .optional(),
    mesh: z
      .object({
        /** this agent's display name for teammates (default: the login name) */
        name: z.string().min(1).max(64).optional(),
        /** where the peer listener binds: all interfaces by default (peers are on other machines) */
        host: z.string().min(1).optional(),
        port: Port.optional(),
        /** where teammates' proxies send the requests they route to this agent's services (members only) */
        ingress_port: Port.optional(),
        /** host:port of teammates' agents to link to, for networks mDNS does not cross (VPNs) */
        peers: z.array(z.string().regex(/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'host:port')).optional(),
        mdns: z.boolean().optional(),
        /** heartbeat interval in ms; a peer silent for 3 beats is unreachable */
        heartbeat_ms: z.number().int().min(100).max(60_000).optional(),
      })
      .strict()
      .optional(),
    agents: z
      .object({
        /** what running agents may declare in total on this machine; unset: no limit */
        budget: z
          .object({
            ram_gb: z.number().min(0).max(65_536).optional(),
            gpus: z.number().int().min(0).max(1024).optional(),
          })
          .strict()
          .optional(),
        /** CLIs beyond the built-in ones, or overrides of a built-in (same id) */
        profiles: z.array(AgentProfileConfigSchema).max(64).optional(),
        /** where agent worktrees go; default `<repo>/.devmesh/worktrees` */
        worktree_root: z.string().min(1).max(4096).optional(),
        /** a new agent is refused when the machine's available memory minus what it asks falls below this */
        min_free_ram_gb: z.number().min(0).max(65_536).optional(),
      })
      .strict()
      .optional(),
    /** process sampling and the leak and spin alerts (metrics-settings.ts) */
    metrics: MetricsSettingsFileSchema.optional(),
    team: z
      .object({
        /** the human at this machine, as teammates see them (default: the OS user name) */
        human: z.string().min(1).max(128).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export interface ProxySettings {
  enabled: boolean;
  host: string;
  httpPort: number;
  httpsPort: number | null;
}

export interface MeshSettings {
  name: string;
  host: string;
  port: number;
  /** the peer ingress: requests routed here by teammates' proxies, admitted only with a live link's token */
  ingressPort: number;
  peers: string[];
  mdns: boolean;
  heartbeatMs: number;
}

export interface AgentSettings {
  /** null: no limit set for that resource */
  budget: { ramGb: number | null; gpus: number | null };
  profiles: AgentProfileConfig[];
  /** null: `<repo>/.devmesh/worktrees` */
  worktreeRoot: string | null;
  /** absent: ResourceBudget's default */
  minFreeRamGb?: number;
}

export interface TeamSettings {
  /** the human at this machine, told to teammates with its agents */
  human: string;
}

export interface UserSettingsData {
  proxy: ProxySettings;
  mesh: MeshSettings;
  agents: AgentSettings;
  team: TeamSettings;
  metrics: MetricsSettings;
}

export const DEFAULT_MESH_PORT = 7790;
export const DEFAULT_MESH_INGRESS_PORT = 7791;

export const DEFAULT_PROXY: ProxySettings = { enabled: true, host: '127.0.0.1', httpPort: 7777, httpsPort: 7443 };

export function fileIn(homeDir: string): string {
  return join(homeDir, 'config.yaml');
}

export function load(homeDir: string, env: NodeJS.ProcessEnv = process.env): UserSettingsData {
  const path = fileIn(homeDir);
  let file: z.output<typeof SettingsFileSchema> = {};
  if (existsSync(path)) {
    let raw: unknown;
    try {
      raw = parse(readFileSync(path, 'utf8')) ?? {};
    } catch (err) {
      throw new DevMeshError('CONFIG_INVALID', `${path}: not valid YAML: ${(err as Error).message}`);
    }
    const parsed = SettingsFileSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
      throw new DevMeshError('CONFIG_INVALID', `${path}: ${problems}; see "User settings" in the README`);
    }
    file = parsed.data;
  }
  const p = file.proxy ?? {};
  const proxy: ProxySettings = {
    enabled: p.enabled ?? DEFAULT_PROXY.enabled,
    host: env.DEVMESH_PROXY_HOST ?? p.host ?? DEFAULT_PROXY.host,
    httpPort: port(env.DEVMESH_PROXY_HTTP_PORT, 'DEVMESH_PROXY_HTTP_PORT') ?? p.http_port ?? DEFAULT_PROXY.httpPort,
    httpsPort:
      env.DEVMESH_PROXY_HTTPS_PORT === 'off'
        ? null
        : (port(env.DEVMESH_PROXY_HTTPS_PORT, 'DEVMESH_PROXY_HTTPS_PORT') ??
          (p.https_port === false || p.https_port === null ? null : (p.https_port ?? DEFAULT_PROXY.httpsPort))),
  };
  const m = file.mesh ?? {};
  const peersEnv = env.DEVMESH_MESH_PEERS?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const peer of peersEnv ?? []) {
    if (!/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(peer))
      throw new DevMeshError('CONFIG_INVALID', `DEVMESH_MESH_PEERS: "${peer}" is not host:port`);
  }
  const heartbeat = env.DEVMESH_MESH_HEARTBEAT ? Number(env.DEVMESH_MESH_HEARTBEAT) : undefined;
  if (heartbeat !== undefined && !(Number.isInteger(heartbeat) && heartbeat >= 50 && heartbeat <= 60_000)) {
    throw new DevMeshError(
      'CONFIG_INVALID',
      `DEVMESH_MESH_HEARTBEAT=${env.DEVMESH_MESH_HEARTBEAT}: expected milliseconds 50-60000`,
    );
  }
  const mesh: MeshSettings = {
    name: env.DEVMESH_AGENT_NAME || m.name || defaultName(),
    host: env.DEVMESH_MESH_HOST ?? m.host ?? '0.0.0.0',
    port: port(env.DEVMESH_MESH_PORT, 'DEVMESH_MESH_PORT') ?? m.port ?? DEFAULT_MESH_PORT,
    ingressPort:
      port(env.DEVMESH_MESH_INGRESS_PORT, 'DEVMESH_MESH_INGRESS_PORT') ?? m.ingress_port ?? DEFAULT_MESH_INGRESS_PORT,
    peers: peersEnv ?? m.peers ?? [],
    mdns: env.DEVMESH_MESH_MDNS === 'off' ? false : (m.mdns ?? true),
    heartbeatMs: heartbeat ?? m.heartbeat_ms ?? 5000,
  };
  const a = file.agents ?? {};
  const agents: AgentSettings = {
    budget: { ramGb: a.budget?.ram_gb ?? null, gpus: a.budget?.gpus ?? null },
    profiles: a.profiles ?? [],
    worktreeRoot: a.worktree_root ?? null,
    ...(a.min_free_ram_gb === undefined ? {} : { minFreeRamGb: a.min_free_ram_gb }),
  };
  const team: TeamSettings = { human: (env.DEVMESH_HUMAN || file.team?.human || osUser()).slice(0, 128) };
  return { proxy, mesh, agents, team, metrics: metricsSettings(file.metrics) };
}

function osUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER || 'unknown';
  }
}

function defaultName(): string {
  try {
    return userInfo().username || hostname();
  } catch {
    return hostname();
  }
}

function port(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new DevMeshError('CONFIG_INVALID', `${name}=${value}: expected a port number 0-65535 (0 picks a free one)`);
  }
  return n;
}
