// A batch of locks taken all or none in one space (a task award's INTENT locks), refused at once on a conflict.
// With no teammate sharing the space it is decided here and now; else the gate's round must permit the whole
// batch first, so a teammate's conflicting lock refuses it instead of being found after the grant. A request
// that only refreshes a lock its holder has needs no permission; if such a lock is let go while the round is out,
// the round's permission is given back and the batch asks again (at most `roundsLeft` rounds), since taking it
// anew would skip the teammates. A refusal is the manager's, or the mesh's (naming the teammate and its machine).
import { DevMeshError } from '../../../shared/errors.js';
import type { LockRequest } from '../../../shared/lock.js';
import type { LockGate } from './lock-gate.js';
import type { LockManager } from './lock-manager.js';
import type { ResolvedTarget } from './target-overlap.js';

/** what a batch answers: the locks in request order, or the refusal and the local blockers */
export type TryAll = ReturnType<LockManager['tryAcquireAll']>;
/** how long a batch waits for the teammates' answers to its round (a refusal comes at once) */
export const GATE_ANSWER_MS = 10_000;
/** how many rounds a batch asks when a lock its holder had is let go while a round is out, before it refuses */
export const BATCH_ROUNDS = 3;

export interface LockBatch {
  space: { root: string; project: string | null; manager: LockManager };
  /** the teammates' permission, read at each round (null: no mesh) */
  gate: () => LockGate | null;
  requests: readonly LockRequest[];
  /** bounds the wait for the teammates' answers */
  answerMs: number;
  roundsLeft: number;
}

export function acquireBatch(batch: LockBatch): TryAll | Promise<TryAll> {
  const { space, requests, answerMs, roundsLeft } = batch;
  const { manager, project } = space;
  const resolved = requests.map((r) => ({ request: r, target: manager.resolveTarget(r.target) }));
  const holding = ({ request: r, target }: (typeof resolved)[number]) => manager.holds(r.holder, target, r.mode);
  const asking = resolved.filter((r) => !holding(r));
  const refreshing = resolved.filter((r) => holding(r));
  const round = batch.gate()?.admitAll(
    asking.map(({ request, target }) => {
      const { holder, mode } = request;
      return { root: space.root, project, holder, mode, target, waitMs: answerMs };
    }),
  );
  if (round === null || round === undefined || asking.length === 0) return manager.tryAcquireAll(requests);
  return round.then(
    (passes) => {
      // A lock its holder had when the round was asked, let go while it was out, would be taken anew without
      // the teammates' permission: give this round's back and ask again with it (a bounded number of times).
      if (!refreshing.every(holding)) {
        for (const pass of passes) pass.abandon();
        if (roundsLeft > 1) return acquireBatch({ ...batch, roundsLeft: roundsLeft - 1 });
        return changedMeanwhile(refreshing.filter((r) => !holding(r)));
      }
      let result: TryAll;
      try {
        result = manager.tryAcquireAll(requests);
      } catch (err) {
        for (const pass of passes) pass.abandon();
        throw err;
      }
      if (!result.ok) for (const pass of passes) pass.abandon();
      else
        for (const [n, { request }] of asking.entries()) passes[n]!.granted(result.value[requests.indexOf(request)]!);
      return result;
    },
    (err: unknown): TryAll => {
      if (!(err instanceof DevMeshError)) throw err;
      // the teammates' locks are named in the error (details.blockedBy, details.machines)
      return { ok: false, error: { code: err.code, message: err.message, details: err.details }, blockers: [] };
    },
  );
}

/** the refusal of a batch whose holders kept letting go of their locks while the teammates were asked */
function changedMeanwhile(letGo: ReadonlyArray<{ request: LockRequest; target: ResolvedTarget }>): TryAll {
  const what = letGo.map(({ request: r, target: { shown: t } }) => {
    return `${r.holder}'s ${r.mode} on ${t.kind === 'glob' ? t.pattern : t.path}`;
  });
  const message = `${what.join(', ')} was let go while the teammates were asked, round after round: nothing was taken. Try again`;
  return { ok: false, error: { code: 'CONFLICT', message }, blockers: [] };
}
