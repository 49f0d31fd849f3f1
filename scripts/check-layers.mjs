// Enforces the layering of README.md ("How it is built"): arrows go one way.
//   shared/            imports nothing but zod (and other shared files)
//   main/core, main/api, main/cli   never import electron (they run on plain Node)
//   renderer/          never imports Node built-ins or main/ (it runs in a browser too)
//   preload/           imports only electron and shared/
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { builtinModules } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function* files(dir) {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(e)) yield p;
  }
}

const rules = [
  { dir: 'shared', allow: (s) => s === 'zod' || s.startsWith('./') || s.startsWith('../'), why: 'shared/ may import only zod and shared files' },
  { dir: 'main/core', deny: (s) => s === 'electron' || s.startsWith('electron/') || /main\/(electron|api|cli)\b|\.\.\/(electron|api|cli)\//.test(s), why: 'main/core runs on plain Node: no electron, no faces' },
  { dir: 'main/api', deny: (s) => s === 'electron' || /\.\.\/(electron|cli)\//.test(s), why: 'main/api is face-neutral: no electron' },
  { dir: 'main/cli', deny: (s) => s === 'electron' || /\.\.\/electron\//.test(s), why: 'the CLI runs on plain Node: no electron' },
  { dir: 'renderer', deny: (s) => nodeBuiltins.has(s) || s === 'electron' || /(^|\/)main\//.test(s) || s.includes('/preload/'), why: 'the renderer runs in a browser: no Node built-ins, no electron, no main/' },
  { dir: 'preload', allow: (s) => s === 'electron' || s.startsWith('./') || s.includes('/shared/'), why: 'preload may import only electron and shared/' },
];

const problems = [];
for (const rule of rules) {
  for (const file of files(join(root, rule.dir))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      if (!spec) continue;
      const bad = rule.deny ? rule.deny(spec) : !rule.allow(spec);
      if (bad) {
        const line = text.slice(0, m.index).split('\n').length;
        problems.push(`${relative(root, file)}:${line}: imports '${spec}': ${rule.why}`);
      }
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`check-layers: ${problems.length} layering violation(s)`);
  process.exit(1);
}
console.log('check-layers: ok');
