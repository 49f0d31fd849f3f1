// Spellings of one path that must be one lock, and glob syntax that must not smuggle `..` past the check:
// real symlinks and real folders on disk (LockPathResolver through the LockManager).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LockPathResolver } from '../../../main/core/locks/lock-path-resolver.js';
import { glob, lockFixture, req, type LockFixture } from './lock-fixture.js';

let fx: LockFixture;
const extra: string[] = [];
afterEach(() => {
  fx?.dispose();
  for (const d of extra.splice(0)) rmSync(d, { recursive: true, force: true });
});

function outsideDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'devmesh-alias-'));
  extra.push(d);
  return d;
}

describe('glob syntax hiding `..`', () => {
  it.each([
    '{..}/x',
    '@(..)/x',
    '[.][.]/x',
    '+(.)/x',
    '?(.)./x',
    '{a,..}/x',
    'src/{..,b}/x',
    '.[.]/x',
    '*(.)/x',
    'src/{a/..,b}/x',
    'src/@(a/..)/x',
  ])('refuses %s like `..`', (pattern) => {
    fx = lockFixture();
    expect(() => fx.locks.tryAcquire(req('a', 'WRITE', glob(pattern)))).toThrow(
      expect.objectContaining({
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/`\.\.` is not allowed in a lock glob|must close before the next `\/`/),
      }),
    );
  });

  it.each(['*.ts', '.*', 'src/**/*.ts', '{a,b}/*.css', 'src/[ab]*.ts', '@(x|y).json'])('still takes %s', (pattern) => {
    fx = lockFixture();
    expect(fx.locks.tryAcquire(req('a', 'WRITE', glob(pattern))).ok).toBe(true);
  });
});

describe('one path, many spellings', () => {
  it('an absolute path through /proc/self/root or an alias of the root is the same lock as the plain one', () => {
    fx = lockFixture();
    mkdirSync(join(fx.root, 'src'));
    writeFileSync(join(fx.root, 'src/x.ts'), '');
    const alias = join(outsideDir(), 'checkout');
    symlinkSync(fx.root, alias);
    const held = fx.locks.tryAcquire(req('a', 'WRITE', 'src/x.ts'));
    expect(held.ok).toBe(true);
    for (const spelling of [`/proc/self/root${fx.root}/src/x.ts`, `${alias}/src/x.ts`, `${alias}/src/new/../x.ts`]) {
      const other = fx.locks.tryAcquire(req('b', 'WRITE', spelling));
      expect(other.ok, spelling).toBe(false);
    }
    const g = fx.locks.tryAcquire(req('c', 'WRITE', glob(`${alias}/src/*.ts`)));
    expect(g.ok).toBe(false);
  });

  it('realPathOf follows a dangling symlink to the file it would create, and aliases of missing folders', () => {
    fx = lockFixture();
    mkdirSync(join(fx.root, 'gen'));
    const out = outsideDir();
    symlinkSync(join(fx.root, 'gen', 'later.ts'), join(out, 'dangling.ts'));
    symlinkSync(fx.root, join(out, 'alias'));
    expect(LockPathResolver.realPathOf(join(out, 'dangling.ts'))).toBe(join(fx.root, 'gen', 'later.ts'));
    expect(LockPathResolver.realPathOf(join(out, 'alias', 'gen', 'a', 'b.ts'))).toBe(join(fx.root, 'gen', 'a', 'b.ts'));
    expect(LockPathResolver.realPathOf(`/proc/self/root${fx.root}/gen`)).toBe(join(fx.root, 'gen'));
  });
});
