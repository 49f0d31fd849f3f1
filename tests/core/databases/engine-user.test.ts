// Reaching a root daemon's postgres data: folders inside $DEVMESH_HOME (and throwaway temp folders) get the
// pass-through bit for the engine user; a closed folder outside them (root's own home) is never widened, and
// the start fails saying how to fix it.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { letThrough, type EngineUser } from '../../../main/core/databases/engine-user.js';

const user: EngineUser = { name: 'postgres', uid: 4242, gid: 4242 };
const mode = (p: string) => statSync(p).mode & 0o777;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.skipIf(process.getuid?.() !== 0)('letThrough (a root daemon)', () => {
  it('opens the way inside the home, and refuses to widen a closed folder outside it', () => {
    // a "root home" outside the temp folder: the test pretends the temp folder is elsewhere
    const base = mkdtempSync(join(tmpdir(), 'devmesh-engine-user-'));
    dirs.push(base);
    const rootHome = join(base, 'root');
    const home = join(rootHome, '.devmesh');
    const data = join(home, 'databases', 'shop', 'api-db', 'data');
    mkdirSync(data, { recursive: true });
    chmodSync(base, 0o755);
    chmodSync(rootHome, 0o700);
    chmodSync(home, 0o700);
    expect(() => letThrough(data, user, home, '/nonexistent-temp')).toThrow(
      new RegExp(`cannot pass through ${rootHome} \\(mode 700\\).*set DEVMESH_HOME`),
    );
    // nothing was changed on the way
    expect(mode(rootHome)).toBe(0o700);
    expect(mode(home)).toBe(0o700);

    chmodSync(rootHome, 0o755);
    letThrough(data, user, home, '/nonexistent-temp');
    expect(mode(home)).toBe(0o701);
    expect(mode(join(home, 'databases')) & 0o001).toBe(0o001);
    expect(mode(rootHome)).toBe(0o755);
  });

  it('widens a throwaway temp folder above the home (tests, CI)', () => {
    const temp = mkdtempSync(join(tmpdir(), 'devmesh-engine-user-'));
    dirs.push(temp);
    chmodSync(temp, 0o700);
    const home = join(temp, 'home');
    const data = join(home, 'databases', 'p', 's', 'data');
    mkdirSync(data, { recursive: true, mode: 0o700 });
    chmodSync(home, 0o700);
    letThrough(data, user, home);
    expect(mode(temp) & 0o001).toBe(0o001);
    expect(mode(home) & 0o001).toBe(0o001);
  });
});
