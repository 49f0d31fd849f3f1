// This agent's identity and its mesh membership, kept in the DevMesh home:
//   agent.json  {agentId}: created once, the same across restarts;
//   mesh.json   {meshId, secret, seeds?} (0600): written by `devmesh mesh init` or `devmesh mesh join <invite>`;
//               the invite's seed addresses are kept, so the agent dials them at every start.
// An invite is `dmi1.<base64url JSON {m: meshId, s: secret, a: seed addresses}>`: whoever holds it can join,
// so it is shown once and shared like a password.
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DevMeshError } from '../../../shared/errors.js';

const MeshFileSchema = z.object({
  meshId: z.string().regex(/^[a-z0-9-]{4,64}$/),
  /** 32 random bytes, base64url */
  secret: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  /** the invite's seed addresses (host:port) */
  seeds: z.array(z.string().max(300)).max(16).optional(),
});
export type MeshMembershipData = z.infer<typeof MeshFileSchema>;

const InviteSchema = z.object({
  m: MeshFileSchema.shape.meshId,
  s: MeshFileSchema.shape.secret,
  a: z.array(z.string().max(300)).max(16),
});
const INVITE_PREFIX = 'dmi1.';

export interface MeshInvite extends MeshMembershipData {
  seeds: string[];
}

export class MeshMembership {
  private readonly meshPath: string;
  private readonly agentPath: string;
  readonly agentId: string;

  constructor(homeDir: string) {
    this.meshPath = join(homeDir, 'mesh.json');
    this.agentPath = join(homeDir, 'agent.json');
    this.agentId = this.readOrCreateAgentId();
  }

  /** The mesh this agent belongs to, or null before init/join. A damaged file is an error naming it. */
  read(): MeshMembershipData | null {
    if (!existsSync(this.meshPath)) return null;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.meshPath, 'utf8'));
    } catch (err) {
      throw new DevMeshError(
        'CONFIG_INVALID',
        `${this.meshPath} is not valid JSON (${(err as Error).message}); run \`devmesh mesh join <invite>\` or \`devmesh mesh init --force\` to write it again`,
      );
    }
    const parsed = MeshFileSchema.safeParse(raw);
    if (!parsed.success)
      throw new DevMeshError(
        'CONFIG_INVALID',
        `${this.meshPath} is damaged (${parsed.error.issues[0]?.message}); run \`devmesh mesh join <invite>\` or \`devmesh mesh init --force\``,
      );
    return parsed.data;
  }

  /** Creates a new mesh (id + secret). Refuses to replace an existing membership unless `force`. */
  init(options: { meshId?: string; force?: boolean } = {}): MeshMembershipData {
    this.refuseOverwrite(options.force);
    const data = {
      meshId: options.meshId ?? `mesh-${randomBytes(4).toString('hex')}`,
      secret: randomBytes(32).toString('base64url'),
    };
    if (!MeshFileSchema.shape.meshId.safeParse(data.meshId).success) {
      throw new DevMeshError('BAD_REQUEST', `mesh id "${data.meshId}": use 4-64 lowercase letters, digits and dashes`);
    }
    this.write(data);
    return data;
  }

  /** Joins the mesh an invite names; returns it (with its seed addresses, to dial first). */
  join(invite: string, options: { force?: boolean } = {}): MeshInvite {
    const parsed = MeshMembership.parseInvite(invite);
    const current = this.read();
    if (current && current.meshId === parsed.meshId && current.secret === parsed.secret) {
      this.write({ ...current, seeds: [...new Set([...(current.seeds ?? []), ...parsed.seeds])].slice(0, 16) });
      return parsed;
    }
    this.refuseOverwrite(options.force);
    this.write({ meshId: parsed.meshId, secret: parsed.secret, seeds: parsed.seeds });
    return parsed;
  }

  leave(): boolean {
    if (!existsSync(this.meshPath)) return false;
    renameSync(this.meshPath, `${this.meshPath}.left`);
    return true;
  }

  invite(seeds: string[]): string {
    const data = this.read();
    if (!data) throw new DevMeshError('NOT_A_MEMBER', 'this agent is not in a mesh: run `devmesh mesh init` first');
    return (
      INVITE_PREFIX +
      Buffer.from(JSON.stringify({ m: data.meshId, s: data.secret, a: seeds.slice(0, 16) })).toString('base64url')
    );
  }

  static parseInvite(invite: string): MeshInvite {
    const text = invite.trim();
    const bad = (why: string) =>
      new DevMeshError(
        'BAD_REQUEST',
        `not a DevMesh invite (${why}): ask a teammate for the line \`devmesh mesh invite\` prints (it starts with ${INVITE_PREFIX})`,
      );
    if (!text.startsWith(INVITE_PREFIX)) throw bad(`it does not start with ${INVITE_PREFIX}`);
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.from(text.slice(INVITE_PREFIX.length), 'base64url').toString('utf8'));
    } catch {
      throw bad('it is cut or altered');
    }
    const parsed = InviteSchema.safeParse(raw);
    if (!parsed.success) throw bad('it is cut or altered');
    return { meshId: parsed.data.m, secret: parsed.data.s, seeds: parsed.data.a };
  }

  private refuseOverwrite(force: boolean | undefined): void {
    const current = this.read();
    if (current && !force) {
      throw new DevMeshError(
        'CONFLICT',
        `this agent is already in mesh ${current.meshId} (${this.meshPath}); add --force to leave it for another one`,
      );
    }
  }

  private write(data: MeshMembershipData): void {
    const tmp = `${this.meshPath}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.meshPath);
  }

  private readOrCreateAgentId(): string {
    try {
      const id = (JSON.parse(readFileSync(this.agentPath, 'utf8')) as { agentId?: unknown }).agentId;
      if (typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)) return id;
    } catch {
      // missing or damaged: a new identity (peers see a new agent)
    }
    const agentId = randomUUID();
    writeFileSync(this.agentPath, `${JSON.stringify({ agentId }, null, 2)}\n`, { mode: 0o600 });
    return agentId;
  }
}
