// Values of the devmesh.v1 contract for view tests, each checked by its shared/ schema when made: a fixture
// that drifts from the contract fails here, not as a puzzling render.
import { AgentDetectionSchema, AgentProfileSchema, AgentRecordSchema, type AgentRecord } from '../../shared/agent.js';
import {
  DatabaseInfoSchema,
  PeerSnapshotSchema,
  SnapshotInfoSchema,
  type DatabaseInfo,
  type PeerSnapshot,
  type SnapshotInfo,
} from '../../shared/database.js';
import { RouteInfoSchema, TcpRouteSchema, type RouteInfo, type TcpRoute } from '../../shared/proxy.js';
import { MessageSchema, type Message } from '../../shared/message.js';
import { LockInfoSchema, type LockInfo } from '../../shared/lock.js';
import { ProjectInfoSchema, ServiceInfoSchema, type ProjectInfo, type ServiceInfo } from '../../shared/service.js';
import {
  BidSchema,
  TaskDetailSchema,
  TaskInfoSchema,
  type Bid,
  type TaskDetail,
  type TaskInfo,
} from '../../shared/task.js';
import type { AgentProfileChoice } from '../../renderer/agents/agents-sync.js';

export const projectInfo = (id: string, over: Partial<ProjectInfo> = {}): ProjectInfo =>
  ProjectInfoSchema.parse({
    id,
    root: `/repo/${id}`,
    configPath: `/repo/${id}/devmesh.yaml`,
    services: [],
    configError: null,
    ...over,
  });

export const serviceInfo = (name: string, over: Partial<ServiceInfo> = {}): ServiceInfo =>
  ServiceInfoSchema.parse({
    project: 'shop',
    name,
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
    ...over,
  });

export const taskInfo = (id: string, over: Partial<TaskInfo> = {}): TaskInfo =>
  TaskInfoSchema.parse({
    id,
    project: 'shop',
    root: '/repo/shop',
    title: `title of ${id}`,
    prompt: 'do it',
    files: [],
    capabilities: [],
    priority: 0,
    dependsOn: [],
    criticRequired: false,
    criticOf: null,
    state: 'QUEUED',
    stateReason: 'waiting for a bid',
    assigneeId: null,
    assigneeName: null,
    terminalId: null,
    attempts: 1,
    bidCount: 0,
    note: null,
    createdBy: 'user',
    createdAt: 1,
    updatedAt: 10,
    ...over,
  });

export const taskDetail = (info: TaskInfo, over: Partial<Omit<TaskDetail, keyof TaskInfo>> = {}): TaskDetail =>
  TaskDetailSchema.parse({ ...info, history: [], bids: [], lockIds: [], ...over });

export const bid = (task: string, agentId: string, over: Partial<Bid> = {}): Bid =>
  BidSchema.parse({
    task,
    agentId,
    agentName: agentId,
    capabilities: [],
    estimateMinutes: 30,
    note: null,
    match: 1,
    load: 0,
    score: 0.9,
    at: 5,
    ...over,
  });

export const lockInfo = (id: string, holder: string, path: string): LockInfo =>
  LockInfoSchema.parse({
    id,
    holder,
    mode: 'WRITE',
    target: { kind: 'file', path },
    acquiredAt: 1,
    expiresAt: 60_000,
    ttlMs: 60_000,
  });

export const agentRecord = (id: string, over: Partial<AgentRecord> = {}): AgentRecord =>
  AgentRecordSchema.parse({
    id,
    name: id,
    profile: 'claude',
    role: null,
    cwd: '/repo/shop',
    project: 'shop',
    command: 'claude',
    args: [],
    worktree: null,
    terminalId: `term-${id}`,
    task: null,
    status: 'working',
    statusReason: null,
    exitCode: null,
    createdAt: 1,
    updatedAt: 10,
    resources: { ramGb: 0, gpus: 0 },
    ...over,
  });

/** an agent CLI the daemon knows, installed or not */
export const profileChoice = (id: string, displayName: string, installed: boolean): AgentProfileChoice => ({
  profile: AgentProfileSchema.parse({
    id,
    displayName,
    executable: id,
    args: [],
    prompt: { kind: 'positional' },
    mcp: { kind: 'unsupported', note: 'none' },
    installHint: `npm install -g ${id}`,
    versionArgs: ['--version'],
    waitingPatterns: [],
    builtin: true,
  }),
  detection: AgentDetectionSchema.parse({
    id,
    installed,
    path: installed ? `/usr/bin/${id}` : null,
    version: installed ? '1.2.3' : null,
    error: installed ? null : 'not found',
    installHint: `npm install -g ${id}`,
  }),
});

export const routeInfo = (service: string, over: Partial<RouteInfo> = {}): RouteInfo =>
  RouteInfoSchema.parse({
    hosts: [`${service}.localhost`],
    project: 'shop',
    service,
    state: 'healthy',
    target: '127.0.0.1:4001',
    servedBy: null,
    local: true,
    urls: [`http://${service}.localhost:7777/`, `https://${service}.localhost:7443/`],
    startOnRequest: false,
    ...over,
  });

export const message = (seq: number, over: Partial<Message> = {}): Message =>
  MessageSchema.parse({
    seq,
    from: 'user',
    fromName: 'user',
    to: '*',
    toName: 'everyone',
    body: `m${seq}`,
    task: null,
    ts: seq,
    ...over,
  });

export const databaseInfo = (service: string, over: Partial<DatabaseInfo> = {}): DatabaseInfo =>
  DatabaseInfoSchema.parse({
    project: 'shop',
    service,
    owner: service.endsWith('-db') ? service.slice(0, -3) : null,
    engine: 'postgres',
    range: null,
    name: 'shop',
    engineVersion: '15.8',
    binary: '/usr/lib/postgresql/15/bin/postgres',
    state: 'healthy',
    port: 54012,
    address: '127.0.0.1:15432',
    url: 'postgres://devmesh@127.0.0.1:15432/shop',
    dataPath: `/home/me/.devmesh/databases/shop/${service}/data`,
    sizeBytes: 12_345_678,
    problem: null,
    engineMissing: null,
    snapshots: 0,
    ...over,
  });

export const snapshotInfo = (service: string, name: string, over: Partial<SnapshotInfo> = {}): SnapshotInfo =>
  SnapshotInfoSchema.parse({
    project: 'shop',
    service,
    name,
    engine: 'postgres',
    engineVersion: '15.8',
    format: 'pg_dump custom',
    sizeBytes: 2_400_000,
    sha256: 'ab'.repeat(32),
    createdAt: Date.now() - 3_600_000,
    published: false,
    source: null,
    ...over,
  });

export const peerSnapshot = (peer: string, service: string, name: string, over: Partial<PeerSnapshot> = {}) =>
  PeerSnapshotSchema.parse({ ...snapshotInfo(service, name, { published: true }), peer, ...over });

export const tcpRoute = (service: string, over: Partial<TcpRoute> = {}): TcpRoute =>
  TcpRouteSchema.parse({
    project: 'shop',
    service,
    address: '127.0.0.1:15432',
    port: 15432,
    fixed: false,
    state: 'healthy',
    target: '127.0.0.1:54012',
    servedBy: `local/${service}@15.8.0`,
    connections: 0,
    totalConnections: 0,
    failedConnections: 0,
    bytesIn: 0,
    bytesOut: 0,
    problem: null,
    ...over,
  });
