// Real MeshNodes on loopback for tests: `loopbackAgent(name, setup, settings)` starts one with its own membership
// folder, event list and services; `closeLoopbackAgents()` (in afterEach) closes them and removes their folders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { DevMeshEvent } from '../../shared/events.js';
import type { MeshService } from '../../shared/mesh.js';
import { EventBus } from '../../main/core/events/event-bus.js';
import { MeshMembership } from '../../main/core/mesh/mesh-membership.js';
import { MeshNode, type MeshNodeDeps } from '../../main/core/mesh/mesh-node.js';
import type { MeshSettings } from '../../main/core/settings/user-settings.js';
import { scaled } from './load-scale.js';

/** 100 ms on a quiet machine, scaled by the load: a stalled event loop must not pass for a silent peer */
export const HEARTBEAT_MS = scaled(100);

export interface LoopbackAgent {
  node: MeshNode;
  events: DevMeshEvent[];
  services: MeshService[];
  membership: MeshMembership;
  warnings: string[];
  /** its membership folder */
  dir: string;
}

const dirs: string[] = [];
const agents: LoopbackAgent[] = [];

export function svc(name: string, version: string, state: MeshService['state'] = 'healthy'): MeshService {
  return { project: 'shop', name, version, state, dependsOn: [] };
}

export async function loopbackAgent(
  name: string,
  setup: (m: MeshMembership) => void,
  mesh: Partial<MeshSettings> = {},
  /** the membership folder of an agent started before (the same machine again, after a restart) */
  again?: LoopbackAgent,
  /** more of the node's deps (e.g. the peer ingress port it announces) */
  extra: Pick<MeshNodeDeps, 'ingressPort'> = {},
): Promise<LoopbackAgent> {
  const dir = again?.dir ?? mkdtempSync(join(tmpdir(), 'devmesh-mesh-'));
  if (!again) dirs.push(dir);
  const membership = new MeshMembership(dir);
  setup(membership);
  const bus = new EventBus();
  const events: DevMeshEvent[] = [];
  bus.onDidEmitEvent((e) => events.push(e));
  const services: MeshService[] = [];
  const warnings: string[] = [];
  const logger = pino(
    { level: process.env.MESH_DEBUG ? 'debug' : 'warn' },
    {
      write: (line: string) => {
        warnings.push(line);
        if (process.env.MESH_DEBUG) process.stderr.write(line);
      },
    },
  );
  const settings: MeshSettings = {
    name,
    host: '127.0.0.1',
    port: 0,
    ingressPort: 0,
    peers: [],
    mdns: false,
    heartbeatMs: HEARTBEAT_MS,
    ...mesh,
  };
  const node = new MeshNode({ membership, settings, events: bus, logger, services: () => services, ...extra });
  const a = { node, events, services, membership, warnings, dir };
  agents.push(a);
  await node.start();
  return a;
}

export async function closeLoopbackAgents(): Promise<void> {
  for (const a of agents.splice(0)) await a.node.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
