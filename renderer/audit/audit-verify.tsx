// The verify result above the chain: intact (how many entries, the mirror in step), or broken at entry N and
// why, plus the spans the chain could not record (a full disk). Verified when the view is first shown, when
// the palette asks, and on the button.
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { ApiOutput } from '../../shared/api.js';
import { useApp } from '../shell/app-context.js';

type Verify = ApiOutput<'audit.verify'>;
type Outcome = { state: 'running' } | { state: 'done'; result: Verify } | { state: 'failed'; message: string };

export function AuditVerify({ onVerified }: { onVerified(): void }) {
  const { client, stores } = useApp();
  const requests = useStore(stores.audit, (s) => s.verifyRequests);
  const [runs, setRuns] = useState(0);
  const [outcome, setOutcome] = useState<Outcome>({ state: 'running' });

  useEffect(() => {
    let live = true;
    setOutcome({ state: 'running' });
    client.call('audit.verify', {}).then(
      (result) => {
        if (!live) return;
        setOutcome({ state: 'done', result });
        onVerified();
      },
      (err: unknown) => {
        if (live) setOutcome({ state: 'failed', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      live = false;
    };
    // onVerified is the view's reload: a new function each render must not verify again
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, requests, runs]);

  const ok = outcome.state === 'done' && outcome.result.firstBroken === null && outcome.result.mirror !== 'mismatch';
  return (
    <section
      className={`audit-verify ${outcome.state === 'done' ? (ok ? 'audit-ok' : 'audit-broken') : ''}`}
      aria-label="Verification of the chain"
      aria-live="polite"
      data-testid="audit-verify"
      data-state={outcome.state === 'done' ? (ok ? 'ok' : 'broken') : outcome.state}
    >
      <span className="audit-verify-text">
        <VerifyText outcome={outcome} />
      </span>
      <button
        type="button"
        className="btn"
        data-testid="audit-verify-again"
        disabled={outcome.state === 'running'}
        onClick={() => setRuns((n) => n + 1)}
      >
        {outcome.state === 'running' ? 'Verifying…' : 'Verify again'}
      </button>
    </section>
  );
}

function VerifyText({ outcome }: { outcome: Outcome }) {
  if (outcome.state === 'running') return <>Verifying the chain…</>;
  if (outcome.state === 'failed') return <>Could not verify the chain: {outcome.message}</>;
  const r = outcome.result;
  const n = r.entries.toLocaleString('en-US');
  const gaps = r.gaps.reduce((sum, g) => sum + g.unrecorded, 0);
  const gapText =
    r.gaps.length === 0
      ? ''
      : ` ${r.gaps.length} ${r.gaps.length === 1 ? 'gap' : 'gaps'}: ${gaps.toLocaleString('en-US')} events went unrecorded (${r.gaps[0]!.cause}).`;
  if (r.firstBroken !== null)
    return (
      <>
        <strong>Broken at entry {r.firstBroken.seq}</strong>: {r.firstBroken.why}. The entries after it cannot be
        trusted; the mirror is {r.mirrorPath}.{gapText}
      </>
    );
  if (r.mirror === 'mismatch')
    return (
      <>
        <strong>The mirror differs</strong> from the chain ({n} entries): {r.mirrorPath} was changed outside DevMesh.
        {gapText}
      </>
    );
  const mirror =
    r.mirror === 'behind' ? `the mirror is ${r.mirrorBehind} behind and being rewritten` : 'the mirror matches';
  return (
    <>
      <strong>Intact</strong>: {n} {r.entries === 1 ? 'entry' : 'entries'} verified, {mirror}.{gapText}
    </>
  );
}
