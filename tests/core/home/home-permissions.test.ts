// HomePermissions: what is readable by others in $DEVMESH_HOME is tightened (files 0600, folders 0700,
// an owner's x bit kept); what cannot be tightened is named with the command that fixes it; `inspect`
// changes nothing.
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DevMeshHome } from '../../../main/core/home/devmesh-home.js';
import { HomePermissions } from '../../../main/core/home/home-permissions.js';
import { tempDir } from '../../api/test-project.js';

let tmp: { dir: string; dispose: () => void };
let home: DevMeshHome;
const mode = (p: string) => statSync(p).mode & 0o777;

beforeEach(() => {
  tmp = tempDir('devmesh-perms-');
  home = new DevMeshHome(join(tmp.dir, 'home'));
  mkdirSync(join(home.dir, 'logs'), { recursive: true });
  mkdirSync(join(home.dir, 'agents', 'a1', 'git-hooks'), { recursive: true });
  for (const f of ['devmesh.db', 'audit.jsonl', 'logs/daemon.log', 'config.yaml'])
    writeFileSync(join(home.dir, f), 'x', { mode: 0o644 });
  writeFileSync(join(home.dir, 'agents/a1/git-hooks/pre-commit'), '#!/bin/sh\n', { mode: 0o755 });
  for (const d of [home.dir, join(home.dir, 'logs'), join(home.dir, 'agents')]) chmodSync(d, 0o755);
});
afterEach(() => tmp.dispose());

describe('HomePermissions', () => {
  it('tightens the home to 0700 and private files to 0600, keeping an executable runnable by its owner', () => {
    const report = new HomePermissions(home).tighten();
    expect(mode(home.dir)).toBe(0o700);
    expect(mode(join(home.dir, 'devmesh.db'))).toBe(0o600);
    expect(mode(join(home.dir, 'audit.jsonl'))).toBe(0o600);
    expect(mode(join(home.dir, 'logs'))).toBe(0o700);
    expect(mode(join(home.dir, 'logs/daemon.log'))).toBe(0o600);
    expect(mode(join(home.dir, 'agents/a1/git-hooks/pre-commit'))).toBe(0o700);
    expect(mode(join(home.dir, 'config.yaml'))).toBe(0o644); // the user's own file
    expect(report.tightened.map((t) => t.was)).toContain('0644');
    expect(report.problems).toEqual([]);
  });

  it('says what it cannot tighten, and how to fix it', () => {
    const report = new HomePermissions(home, {
      chmod: () => {
        throw Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' });
      },
    }).tighten();
    expect(report.problems.some((p) => p.includes(home.dir) && p.includes('chmod 700'))).toBe(true);
    expect(report.problems.some((p) => p.includes('devmesh.db') && p.includes('chmod 600'))).toBe(true);
    expect(mode(home.dir)).toBe(0o755);
  });

  it('inspect() reports without changing anything', () => {
    const report = new HomePermissions(home).inspect();
    expect(report.problems.length).toBeGreaterThan(0);
    expect(report.tightened).toEqual([]);
    expect(mode(join(home.dir, 'devmesh.db'))).toBe(0o644);
  });
});
