// Shared by bench/mesh.mjs and bench/proxy.mjs (no mesh dependency): whether the built CLI the bench runs
// is older than the TypeScript sources it was built from.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** ' (missing)', a note that `cli` is older than the newest .ts under `root`/main or `root`/shared, or ''. */
export function staleNote(cli, root) {
  if (!existsSync(cli)) return ' (missing)';
  const built = statSync(cli).mtimeMs;
  let newest = 0;
  const walk = (dir, depth) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && depth < 6) walk(join(dir, e.name), depth + 1);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(dir, e.name)).mtimeMs);
    }
  };
  for (const d of ['main', 'shared']) walk(join(root, d), 0);
  return newest > built
    ? ` (older than the newest source under main/ or shared/ by ${Math.round((newest - built) / 1000)} s: run \`npm run build\` to measure the current code)`
    : '';
}
