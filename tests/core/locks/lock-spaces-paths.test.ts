// The hook's edit check with paths as editors give them: the real path of a project opened through a
// symlink, and a file whose name starts with two dots.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockSpaces } from '../../../main/core/locks/lock-spaces.js';
import { agentRecord } from '../agents/agent-record-fixture.js';
import { FakeLockClock } from './fake-lock-clock.js';

let dir: string;
let real: string;
let root: string;
let spaces: LockSpaces;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'devmesh-spaces-paths-')));
  real = join(dir, 'real-shop');
  mkdirSync(join(real, 'src'), { recursive: true });
  root = join(dir, 'shop'); // the project was opened through this symlink
  symlinkSync(real, root);
  const agents = [
    agentRecord({ id: 'agent-alice', name: 'alice', cwd: root, project: 'shop', status: 'working' }),
    agentRecord({ id: 'agent-bob', name: 'bob', cwd: root, project: 'shop', status: 'working' }),
  ];
  spaces = new LockSpaces({
    projects: { resolve: () => ({ id: 'shop', root }), idAt: (r) => (r === root ? 'shop' : null) },
    agents: { find: (x) => agents.find((a) => a.id === x || a.name === x) ?? null },
    emit: () => undefined,
    clock: new FakeLockClock(),
  });
});

afterEach(() => {
  spaces.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('LockSpaces.check with real paths', () => {
  it('refuses an edit named by the real path of a project opened through a symlink', () => {
    spaces
      .at(root)
      .manager.tryAcquire({ holder: 'agent-alice', mode: 'WRITE', target: { kind: 'file', path: 'src/a.ts' } });
    const check = spaces.check(undefined, 'bob', [join(real, 'src/a.ts')]);
    expect(check.paths[0]?.relative).toBe('src/a.ts');
    expect(check.allowed).toBe(false);
  });

  it('takes a file named "..env" at the root as inside the project', () => {
    spaces
      .at(root)
      .manager.tryAcquire({ holder: 'agent-alice', mode: 'WRITE', target: { kind: 'file', path: '..env' } });
    const check = spaces.check(undefined, 'bob', [join(root, '..env')]);
    expect(check.allowed).toBe(false);
  });
});
