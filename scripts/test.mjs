// `npm test`: lints (ESLint, the import boundaries, Prettier: scripts/lint.mjs), type-checks, builds (the e2e and CLI tests use the built faces), runs
// vitest, and ends with the plain line `N passed, N failed` that CI reads.
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', cwd: root }).status ?? 1;
const extra = process.argv.slice(2);

let preFailed = 0;
for (const [cmd, args] of [
  ['node', ['scripts/lint.mjs']],
  ['node', ['scripts/typecheck.mjs']],
  ['node', ['scripts/build.mjs']],
]) {
  if (run(cmd, args) !== 0) {
    console.error(`test: ${cmd} ${args.join(' ')} failed`);
    preFailed++;
  }
}

mkdirSync(`${root}test-results`, { recursive: true });
const out = `${root}test-results/vitest.json`;
const status = run('vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...extra]);
let passed = 0,
  failed = preFailed;
try {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  const failedSuites = (r.testResults ?? []).filter(
    (s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0,
  ).length;
  failed += failedSuites;
} catch (err) {
  console.error(`test: could not read vitest's report: ${err.message}`);
  failed += 1;
}
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
