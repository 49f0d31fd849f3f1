// `npm run lint` (and the first step of `npm test`): ESLint with type-aware rules and the import boundaries
// (eslint.config.mjs: layers and the allowed graph between core domains), then `prettier --check`.
// Each failing step names the files, lines and rules above its closing line; the exit code is non-zero.
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', cwd: root }).status ?? 1;

let failed = 0;
const started = Date.now();
if (run('eslint', ['--max-warnings', '0', '.']) !== 0) {
  failed++;
  console.error(
    'lint: ESLint failed (file:line, message and rule above; the import boundaries are the rule boundaries/dependencies)',
  );
}
if (run('prettier', ['--check', '--log-level', 'warn', '.']) !== 0) {
  failed++;
  console.error(
    'lint: prettier --check failed: the files listed above are not formatted as .prettierrc says; run `npm run format`',
  );
}
console.log(`lint: ${failed ? `${failed} step(s) failed` : 'ok'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed ? 1 : 0);
