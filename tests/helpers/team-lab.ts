// What the team labs (tests/mesh-netns/team*.test.ts) share: the lab's shape, how long detection may take, and
// the CLI steps they repeat (the project's identity key, teammates' agents, a plain agent, a lock taken).
import { expect } from 'vitest';
import type { LockInfo } from '../../shared/lock.js';
import type { ProjectInfo } from '../../shared/service.js';
import type { TeamAgent } from '../../shared/team.js';
import { scaled } from './load-scale.js';
import { waitUntil, type MeshHost, type MeshLab, type MeshLabOptions } from './mesh-lab.js';

export const TEAM_LAB: MeshLabOptions = { hosts: 3, multicast: false };
/** the link's own rule (3 silent beats + min(beat/2, 1 s)), plus the machine's noise, scaled by its load */
export function detectionBoundMs(lab: MeshLab): number {
  return 3 * lab.heartbeatMs + Math.min(lab.heartbeatMs / 2, 1_000) + scaled(2_000);
}

interface StatusJson {
  projects: Array<Pick<ProjectInfo, 'id' | 'root' | 'identity'>>;
}

/** `devmesh status --json` on `host`, once git has identified its project (absent for a few ms after open). */
export async function identityKey(host: MeshHost): Promise<string> {
  const status = await waitUntil(
    async () => {
      const s = await host.json<StatusJson>(['status']);
      return s.projects[0]?.identity ? s : null;
    },
    { timeoutMs: scaled(15_000), intervalMs: 250, what: `${host.name}'s project to be identified` },
  );
  const identity = status.projects[0]!.identity!;
  expect(identity.localOnly, `${host.name}: ${identity.reason ?? ''}`).toBe(false);
  return identity.key;
}

export function agentsOn(host: MeshHost): Promise<TeamAgent[]> {
  return host.json<TeamAgent[]>(['agent', 'ls', '--all']);
}

/** a plain command agent on `host` (a shell that sleeps), in its project folder; its id */
export async function startSleeper(host: MeshHost, name: string): Promise<string> {
  // --json before `--`: every word after it is the command's
  const out = await host.cli([
    'agent',
    'start',
    '--json',
    '--command',
    '/bin/sh',
    '--name',
    name,
    '--',
    '-c',
    'sleep 600',
  ]);
  const started = JSON.parse(out.stdout) as { id: string; name: string };
  expect(started.name).toBe(name);
  return started.id;
}

/** `devmesh locks take <path> --mode <mode> --as <holder> --json` on `host`: the lock, or the refusal's output */
export async function takeLock(
  host: MeshHost,
  path: string,
  as: string,
  mode = 'WRITE',
): Promise<{ ok: true; lock: LockInfo } | { ok: false; stderr: string; code: number | null }> {
  const r = await host.cli(['locks', 'take', path, '--mode', mode, '--as', as, '--json'], { allowFail: true });
  if (r.code === 0) return { ok: true, lock: JSON.parse(r.stdout) as LockInfo };
  return { ok: false, stderr: r.stderr, code: r.code };
}

/** `devmesh locks release <id> --as <holder>` on `host` */
export async function releaseLock(host: MeshHost, lock: LockInfo, as: string): Promise<void> {
  await host.cli(['locks', 'release', lock.id, '--as', as]);
}
