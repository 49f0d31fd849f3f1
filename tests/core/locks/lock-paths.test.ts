// Path confinement (`..`, absolute elsewhere, symlinks out), normalization, directories covering what is
// under them, and when globs overlap.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LockPathResolver } from '../../../main/core/locks/lock-path-resolver.js';
import * as targetOverlap from '../../../main/core/locks/target-overlap.js';
import { dir, file, glob, lockFixture, req, type LockFixture } from './lock-fixture.js';

let fx: LockFixture;
const extra: string[] = [];
afterEach(() => {
  fx?.dispose();
  for (const d of extra.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('confinement', () => {
  it.each(['../outside.ts', 'src/../../outside.ts', '..'])('refuses %s', (p) => {
    fx = lockFixture();
    expect(() => fx.locks.tryAcquire(req('a', 'WRITE', p))).toThrow(
      expect.objectContaining({
        code: 'BAD_REQUEST',
        message: expect.stringContaining(`outside the project root (root ${fx.root})`),
      }),
    );
  });

  it('refuses an absolute path outside the root and accepts one inside', () => {
    fx = lockFixture();
    expect(() => fx.locks.tryAcquire(req('a', 'WRITE', '/etc/passwd'))).toThrow(
      /cannot lock "\/etc\/passwd": it is outside the project root/,
    );
    const r = fx.locks.tryAcquire(req('a', 'WRITE', join(fx.root, 'src/x.ts')));
    expect(r.ok && r.value.target).toEqual({ kind: 'file', path: 'src/x.ts' });
  });

  it('refuses a symlink that leads outside, also for paths under it that do not exist yet', () => {
    fx = lockFixture();
    const outside = mkdtempSync(join(tmpdir(), 'devmesh-outside-'));
    extra.push(outside);
    symlinkSync(outside, join(fx.root, 'escape'));
    symlinkSync('/etc/hostname', join(fx.root, 'host'));
    for (const p of ['escape', 'escape/new/file.ts', 'host']) {
      expect(() => fx.locks.tryAcquire(req('a', 'WRITE', p))).toThrow(/a symlink leads outside the project root/);
    }
    expect(() => fx.locks.tryAcquire(req('a', 'WRITE', glob('escape/**/*.ts')))).toThrow(/symlink leads outside/);
    expect(() => fx.locks.tryAcquire(req('a', 'WRITE', glob('src/../../**')))).toThrow(/`\.\.` is not allowed/);
  });

  it('follows a symlink inside the root: the link and its target are one lock', () => {
    fx = lockFixture();
    mkdirSync(join(fx.root, 'src'));
    writeFileSync(join(fx.root, 'src/real.ts'), '');
    symlinkSync(join(fx.root, 'src/real.ts'), join(fx.root, 'src/link.ts'));
    expect(fx.locks.tryAcquire(req('a', 'WRITE', 'src/link.ts')).ok).toBe(true);
    const b = fx.locks.tryAcquire(req('b', 'READ', './src//real.ts'));
    expect(b.ok).toBe(false);
    expect(fx.locks.list().locks[0]!.target).toEqual({ kind: 'file', path: 'src/real.ts' });
  });

  it('treats a "file" that is an existing directory as the directory', () => {
    fx = lockFixture();
    mkdirSync(join(fx.root, 'src'));
    const r = fx.locks.tryAcquire(req('a', 'WRITE', 'src'));
    expect(r.ok && r.value.target).toEqual({ kind: 'dir', path: 'src' });
    expect(fx.locks.tryAcquire(req('b', 'READ', 'src/x.ts')).ok).toBe(false);
  });
});

describe('directories', () => {
  it('a directory lock covers everything under it, not its siblings', () => {
    fx = lockFixture();
    expect(fx.locks.tryAcquire(req('a', 'WRITE', dir('src/lib'))).ok).toBe(true);
    expect(fx.locks.tryAcquire(req('b', 'READ', 'src/lib/deep/x.ts')).ok).toBe(false);
    expect(fx.locks.tryAcquire(req('b', 'READ', dir('src'))).ok).toBe(false);
    expect(fx.locks.tryAcquire(req('b', 'READ', dir('.'))).ok).toBe(false);
    expect(fx.locks.tryAcquire(req('b', 'WRITE', 'src/library.ts')).ok).toBe(true);
    expect(fx.locks.tryAcquire(req('b', 'WRITE', 'src/x.ts')).ok).toBe(true);
  });

  it('a lock on a file blocks a directory lock above it', () => {
    fx = lockFixture();
    fx.locks.tryAcquire(req('a', 'READ', 'a/b/c.ts'));
    expect(fx.locks.tryAcquire(req('b', 'WRITE', dir('a'))).ok).toBe(false);
    expect(fx.locks.tryAcquire(req('b', 'READ', dir('a'))).ok).toBe(true);
  });
});

describe('globs', () => {
  it('a glob lock covers the files it matches', () => {
    fx = lockFixture();
    expect(fx.locks.tryAcquire(req('a', 'WRITE', glob('src/**/*.ts'))).ok).toBe(true);
    expect(fx.locks.tryAcquire(req('b', 'READ', 'src/a/b.ts')).ok).toBe(false);
    expect(fx.locks.tryAcquire(req('b', 'READ', 'src/a/b.css')).ok).toBe(true);
    expect(fx.locks.tryAcquire(req('b', 'READ', 'test/b.ts')).ok).toBe(true);
    expect(fx.locks.tryAcquire(req('b', 'READ', dir('src/a'))).ok).toBe(false);
    expect(fx.locks.tryAcquire(req('b', 'READ', glob('src/a/*.ts'))).ok).toBe(false);
  });

  const resolver = () => new LockPathResolver(fx.root);
  const overlap = (x: string, y: string) => {
    const r = resolver();
    const t = (s: string) => r.resolve(s.endsWith('/') ? dir(s) : /[*?[{]/.test(s) ? glob(s) : file(s));
    return targetOverlap.overlaps(t(x), t(y)) && targetOverlap.overlaps(t(y), t(x));
  };
  it.each([
    ['src/**/*.ts', 'src/**/*.ts', true],
    ['src/**/*.ts', 'src/a/*.ts', true],
    ['src/**', 'lib/**', false],
    ['src/**/*.ts', 'src/**/*.css', false],
    ['src/**/*.ts', 'src/**/*.d.ts', true],
    ['src/**/index.ts', 'src/*.ts', true],
    ['src/*.{ts,js}', 'src/*.css', true], // braces: unsure, so overlap
    ['**/*.md', 'docs/guide.md', true],
    ['**/*.md', 'docs/guide.ts', false],
    ['src/*', 'src/a/b.ts', false], // a matched directory does not cover its contents
    ['src/a/', 'src/*', true],
    ['lib/', 'src/**', false],
  ] as const)('%s vs %s → %s', (x, y, expected) => {
    fx = lockFixture();
    expect(overlap(x, y)).toBe(expected);
  });
});
