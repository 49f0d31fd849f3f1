// The built preload (dist/preload/preload.js), as the sandboxed renderer loads it: a sandboxed preload's
// `require` knows `electron` and a few polyfills, not node_modules nor Node's built-ins, so a stray `node:`
// import (or a package esbuild left external) would break it at load time, with no window content. The test
// reads the bundle's requires and runs it in a fresh V8 context whose `require` knows only `electron`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_KEY } from '../../shared/bridge.js';
import { scaled } from '../helpers/load-scale.js';

const root = join(__dirname, '..', '..');
const preload = join(root, 'dist', 'preload', 'preload.js');

beforeAll(() => {
  // A full build empties dist/ (which other test files use): build only when it is missing.
  if (!existsSync(preload)) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}, scaled(120_000));

describe('dist/preload/preload.js (the built, sandboxed preload)', () => {
  it('requires nothing but electron', () => {
    const code = readFileSync(preload, 'utf8');
    const required = [...new Set([...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]))];
    expect(required).toEqual(['electron']);
    expect(code).not.toMatch(/^\s*import\s.+from\s/m);
  });

  it('loads where require knows only electron, and exposes the bridge', () => {
    const exposed = new Map<string, unknown>();
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: async () => ({ ok: true, value: null }),
        on() {},
        once() {},
        removeListener() {},
        send() {},
        postMessage() {},
      },
    };
    const asked: string[] = [];
    const sandboxRequire = (id: string) => {
      asked.push(id);
      if (id === 'electron') return electron;
      throw new Error(`module not found: ${id} (a sandboxed preload cannot load it)`);
    };
    const module = { exports: {} };
    runInNewContext(readFileSync(preload, 'utf8'), {
      require: sandboxRequire,
      module,
      exports: module.exports,
      console,
      setTimeout,
      clearTimeout,
    });
    expect(asked).toEqual(['electron']);
    expect(exposed.has(BRIDGE_KEY)).toBe(true);
  });
});
