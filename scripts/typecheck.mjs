// Type-checks each layer with its own tsconfig, so main/core sees no DOM and the renderer sees no Node.
import { spawnSync } from 'node:child_process';
const projects = ['tsconfig.node.json', 'tsconfig.electron.json', 'tsconfig.renderer.json', 'tsconfig.tests.json'];
let failed = 0;
for (const p of projects) {
  const r = spawnSync('tsc', ['-p', p], { stdio: 'inherit', shell: false });
  if (r.status !== 0) {
    failed++;
    console.error(`typecheck: ${p} has errors`);
  }
}
process.exit(failed ? 1 : 0);
