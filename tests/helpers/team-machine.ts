// A teammate's machine for the team's message tests: a real MeshNode on loopback, its own SQLite store on
// disk, the real MessageBoard, audit chain and TeamMessages; its agents are a small list (the agent registry
// is another domain's). `restartPart()` closes the messages part and its store and opens them again from the
// same file; `restartNode()` closes the machine's mesh node and starts it again with the same identity.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { DevMeshEvent } from '../../shared/events.js';
import type { Message } from '../../shared/message.js';
import { AuditLog } from '../../main/core/audit/audit-log.js';
import { AuditTrail } from '../../main/core/audit/audit-trail.js';
import { MessageBoard } from '../../main/core/coordination/message-board.js';
import { MeshMembership } from '../../main/core/mesh/mesh-membership.js';
import { Database } from '../../main/core/store/database.js';
import type { LocalParties } from '../../main/core/team/message-routes.js';
import { SeenMachinesDirectory } from '../../main/core/team/team-directory.js';
import { TeamMessages, type TeamMessagesDeps } from '../../main/core/team/team-messages.js';
import { meshTransport, type TeamTransport } from '../../main/core/team/team-transport.js';
import { loopbackAgent, type LoopbackAgent } from './loopback-mesh.js';

export interface TestAgent {
  id: string;
  name: string;
  role: string | null;
}

type PartOptions = Partial<Pick<TeamMessagesDeps, 'maxQueued' | 'window' | 'resendMs' | 'inbound'>>;

const homes: string[] = [];

export class TeamMachine {
  agents: TestAgent[] = [];
  events: DevMeshEvent[] = [];
  database!: Database;
  board!: MessageBoard;
  audit!: AuditLog;
  trail!: AuditTrail;
  directory!: SeenMachinesDirectory;
  messages!: TeamMessages;
  /** wraps the transport the part gets (drop acks, …) */
  wrap: (t: TeamTransport) => TeamTransport = (t) => t;
  private partOpen = false;

  private constructor(
    public mesh: LoopbackAgent,
    readonly home: string,
    private readonly options: PartOptions,
    private readonly peers: string[],
  ) {}

  /** the first machine of a mesh */
  static async founder(name: string, options: PartOptions = {}): Promise<TeamMachine> {
    const mesh = await loopbackAgent(name, (m) => m.init());
    return TeamMachine.open(mesh, options, []);
  }

  /** a machine that joins `founder`'s mesh */
  static async joining(name: string, founder: TeamMachine, options: PartOptions = {}): Promise<TeamMachine> {
    const invite = founder.mesh.membership.invite([`127.0.0.1:${founder.mesh.node.port}`]);
    const peers = MeshMembership.parseInvite(invite).seeds;
    const mesh = await loopbackAgent(name, (m) => m.join(invite), { peers });
    return TeamMachine.open(mesh, options, peers);
  }

  private static open(mesh: LoopbackAgent, options: PartOptions, peers: string[]): TeamMachine {
    const home = mkdtempSync(join(tmpdir(), 'devmesh-team-'));
    homes.push(home);
    const machine = new TeamMachine(mesh, home, options, peers);
    machine.openPart();
    return machine;
  }

  get name(): string {
    return this.mesh.node.name;
  }

  get machineId(): string {
    return this.mesh.node.agentId;
  }

  agent(name: string, role: string | null = null): TestAgent {
    const a = { id: `agent-${name}`, name, role };
    this.agents.push(a);
    return a;
  }

  read(reader: string): Message[] {
    return this.board.read({ reader, unreadOnly: true, limit: 500 });
  }

  all(): Message[] {
    return this.board.list({ limit: 500 }).reverse();
  }

  auditKinds(): string[] {
    return this.audit
      .list({ kind: 'message', limit: 1000 })
      .entries.reverse()
      .map((e) => e.kind);
  }

  openPart(): void {
    this.database = Database.open(join(this.home, 'devmesh.db'));
    const mirrorPath = join(this.home, 'audit.jsonl');
    const logger = pino({ level: 'silent' });
    this.audit = new AuditLog(this.database, { mirrorPath, durability: 'grouped' });
    this.trail = new AuditTrail({ log: this.audit, logger, mirrorPath, homeDir: this.home });
    const local = this.parties();
    this.board = new MessageBoard(
      this.database,
      { resolve: local.resolve, roleOf: (id) => this.agents.find((a) => a.id === id)?.role ?? null },
      (message) => this.events.push({ type: 'message.posted', ts: message.ts, message }),
    );
    const transport = this.wrap(meshTransport(this.mesh.node));
    this.directory = new SeenMachinesDirectory(this.database, transport);
    this.messages = new TeamMessages({
      transport,
      database: this.database,
      board: this.board,
      directory: this.directory,
      local,
      trail: this.trail,
      emit: (e) => this.events.push(e),
      logger,
      ...this.options,
    });
    this.partOpen = true;
  }

  closePart(): void {
    if (!this.partOpen) return;
    this.partOpen = false;
    this.messages.dispose();
    this.directory.dispose();
    this.trail.dispose();
    this.audit.dispose();
    this.database.close();
  }

  restartPart(): void {
    this.closePart();
    this.openPart();
  }

  /** its mesh node closes (the link drops) and starts again with the same identity */
  async restartNode(): Promise<void> {
    this.closePart();
    await this.mesh.node.close();
    this.mesh = await loopbackAgent(this.name, () => undefined, { peers: this.peers }, this.mesh);
    this.openPart();
  }

  private parties(): LocalParties {
    const find = (p: string) => this.agents.find((a) => a.id === p || a.name === p);
    return {
      resolve: (party) => {
        if (party === 'user' || party === 'devmesh') return { id: party, name: party };
        const a = find(party);
        return a ? { id: a.id, name: a.name } : null;
      },
      hasRole: (role) => this.agents.some((a) => a.role === role),
    };
  }
}

/** closes what `TeamMachine`s opened (after closeLoopbackAgents closed their nodes) */
export function closeTeamMachines(machines: TeamMachine[]): void {
  for (const m of machines.splice(0)) m.closePart();
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
}
