// Section 3 of bench/locks.mjs: 50 agents contending on 10 files in this process for 10 s. Each agent loops:
// a random mode (READ / INTENT / WRITE / CO_WRITE), a random file, acquire with a wait, hold a random
// 0–4 ms (a timer), release. Every grant is checked as it happens, from the manager's own events, against
// an independent model of who holds what: no WRITE beside another holder on the same file, and no grant
// that LOCK_MATRIX (main/core/locks/lock-matrix.ts) refuses next to a lock held by another holder.
// Baseline in the same run: the same agents and holds with no locking at all (their cycles/s).
import { f0, f1, pick, printTable, quantiles, rate, sleep, times } from './lib.mjs';

const WAIT_MS = 2000;
const MAX_VIOLATIONS_SHOWN = 5;

/** the model of held locks per file, fed by the manager's events, and the check made at each grant */
function invariantChecker(core) {
  const { LOCK_MATRIX } = core;
  const held = new Map(); // path → Map<lockId, {holder, mode}>
  const violations = [];
  let checked = 0;
  const waited = [];
  const onEvent = (e) => {
    if (e.type === 'granted') {
      checked++;
      waited.push(e.waitedMs);
      const path = e.lock.target.path;
      let onFile = held.get(path);
      if (!onFile) held.set(path, (onFile = new Map()));
      onFile.delete(e.lock.id); // a conversion replaces the holder's own lock
      for (const [id, other] of onFile) {
        if (other.holder === e.lock.holder) continue;
        const why = [];
        if (e.lock.mode === 'WRITE' || other.mode === 'WRITE') why.push('a WRITE beside another holder');
        if (!LOCK_MATRIX[other.mode][e.lock.mode])
          why.push(`the matrix refuses ${e.lock.mode} while ${other.mode} is held`);
        if (why.length)
          violations.push(
            `grant #${checked}: ${e.lock.holder} got ${e.lock.mode} ${path} (${e.lock.id}) while ${other.holder} held ${other.mode} (${id}): ${why.join('; ')}`,
          );
      }
      onFile.set(e.lock.id, { holder: e.lock.holder, mode: e.lock.mode });
    } else if (e.type === 'released' || e.type === 'expired') {
      held.get(e.lock.target.path)?.delete(e.lock.id);
    }
  };
  return {
    onEvent,
    violations,
    waited,
    held,
    get checked() {
      return checked;
    },
  };
}

/** `agents` loops until `deadline`; `cycle(agent)` is one acquire-hold-release (or just the hold) */
async function runAgents(agents, seconds, cycle) {
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  let cycles = 0;
  await Promise.all(
    agents.map(async (agent) => {
      while (performance.now() < deadline) {
        await cycle(agent);
        cycles++;
      }
    }),
  );
  return { cycles, ms: performance.now() - t0 };
}

export async function contention(ctx, opts) {
  const { LockManager, LOCK_MODES } = ctx.core;
  const files = ctx.files.slice(0, opts.files);
  const agents = Array.from({ length: opts.agents }, (_, i) => `agent-${String(i + 1).padStart(2, '0')}`);
  console.log(
    `3. ${opts.agents} agents contending on ${files.length} files in-process for ${opts.contentionSeconds} s: random mode of ${LOCK_MODES.join('/')}, random file, wait up to ${WAIT_MS} ms, hold 0–4 ms, release`,
  );

  const hold = () => sleep(pick(5));
  const baseSeconds = Math.min(3, opts.contentionSeconds);
  const base = await runAgents(agents, baseSeconds, hold);

  // the checker must catch what it is there to catch: forged events of a WRITE granted beside a READ
  const probe = invariantChecker(ctx.core);
  const forged = (id, holder, mode) => ({
    type: 'granted',
    ts: 0,
    waitedMs: 0,
    previousMode: null,
    lock: { id, holder, mode, target: { kind: 'file', path: 'x' }, acquiredAt: 0, expiresAt: 0, ttlMs: 1000 },
  });
  probe.onEvent(forged('l1', 'a', 'READ'));
  probe.onEvent(forged('l2', 'b', 'WRITE'));
  if (probe.violations.length !== 1)
    throw new Error(
      `the invariant checker missed a forged WRITE beside a READ (${probe.violations.length} violations)`,
    );

  const mgr = new LockManager({ root: ctx.projectDir });
  const check = invariantChecker(ctx.core);
  mgr.onDidChange(check.onEvent);
  const refused = new Map();
  const perMode = Object.fromEntries(LOCK_MODES.map((m) => [m, 0]));
  let lastShown = 0;
  const progress = setInterval(() => {
    const n = check.checked;
    process.stdout.write(
      `   … ${f0(n)} grants (${f0(n - lastShown)} in the last 2 s), ${check.violations.length} violations\n`,
    );
    lastShown = n;
  }, 2000);
  let run;
  try {
    run = await runAgents(agents, opts.contentionSeconds, async (holder) => {
      const mode = LOCK_MODES[pick(LOCK_MODES.length)];
      const path = files[pick(files.length)];
      let lock;
      try {
        lock = await mgr.acquire({ holder, mode, target: { kind: 'file', path }, waitMs: WAIT_MS });
      } catch (err) {
        const code = err.code ?? err.message;
        refused.set(code, (refused.get(code) ?? 0) + 1);
        return;
      }
      perMode[mode]++;
      await hold();
      mgr.release(lock.id, holder);
    });
  } finally {
    clearInterval(progress);
  }
  const leftInManager = mgr.list();
  const leftInModel = [...check.held.values()].reduce((a, m) => a + m.size, 0);
  mgr.dispose();

  const grants = check.checked;
  const w = quantiles(check.waited);
  printTable(
    ['run', 'seconds', 'cycles', 'grants/s', 'vs no locking'],
    [
      [
        'same agents and holds, no locking (baseline)',
        f1(base.ms / 1000),
        f0(base.cycles),
        f0(rate(base.cycles, base.ms)),
        '1.00×',
      ],
      [
        'LockManager, contended',
        f1(run.ms / 1000),
        f0(run.cycles),
        f0(rate(grants, run.ms)),
        times(rate(grants, run.ms) / rate(base.cycles, base.ms)),
      ],
    ],
  );
  console.log(
    `  grants by mode: ${LOCK_MODES.map((m) => `${m} ${f0(perMode[m])}`).join(', ')}; refused: ${refused.size ? [...refused].map(([c, n]) => `${c} ${f0(n)}`).join(', ') : 'none'}`,
  );
  console.log(
    `  wait before a grant (ms, whole): p50 ${f0(w.p50)} ms, p99 ${f0(w.p99)} ms, max ${f0(w.max)} ms (${f0(check.waited.filter((x) => x > 0).length)} of ${f0(grants)} grants waited)`,
  );
  console.log(
    `  after the run: ${leftInManager.locks.length} locks and ${leftInManager.waiters.length} waiters left in the manager, ${leftInModel} in the model (0 expected)`,
  );
  if (check.violations.length === 0) console.log(`  invariant: held (${f0(grants)} grants checked)\n`);
  else {
    console.log(`  invariant: VIOLATED ${f0(check.violations.length)} times in ${f0(grants)} grants; the first:`);
    for (const v of check.violations.slice(0, MAX_VIOLATIONS_SHOWN)) console.log(`    ${v}`);
    console.log('');
  }
  return { grants, violations: check.violations.length };
}
