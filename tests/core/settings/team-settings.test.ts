// The human teammates see beside this machine's agents: DEVMESH_HUMAN, else team.human in config.yaml, else
// the OS user name.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { load } from '../../../main/core/settings/user-settings.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function home(config?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'devmesh-settings-'));
  dirs.push(dir);
  if (config !== undefined) writeFileSync(join(dir, 'config.yaml'), config);
  return dir;
}

describe('team.human', () => {
  it('comes from the environment, then the file, then the OS user name', () => {
    const dir = home('team:\n  human: Alice Martin\n');
    expect(load(dir, { DEVMESH_HUMAN: 'Bob' }).team.human).toBe('Bob');
    expect(load(dir, {}).team.human).toBe('Alice Martin');
    expect(load(home(), {}).team.human).toBe(userInfo().username);
  });

  it('refuses an unknown key under team, naming it', () => {
    expect(() => load(home('team:\n  humans: x\n'), {})).toThrow(/team/);
  });
});
