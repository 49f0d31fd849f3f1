// A small "Copy" button beside an address or URL the user pastes elsewhere (psql, a .env file). Says "Copied"
// for a moment; when the clipboard refuses (no focus, no permission) it says so and the text stays selectable.
import { useEffect, useState, type MouseEvent } from 'react';

type Outcome = 'idle' | 'copied' | 'failed';
const SHOWN_MS = 1500;

export function CopyButton({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const [outcome, setOutcome] = useState<Outcome>('idle');
  useEffect(() => {
    if (outcome === 'idle') return;
    const timer = setTimeout(() => setOutcome('idle'), SHOWN_MS);
    return () => clearTimeout(timer);
  }, [outcome]);
  const copy = (e: MouseEvent) => {
    e.stopPropagation(); // inside a table row: copying is not a row selection
    if (!navigator.clipboard) return setOutcome('failed');
    navigator.clipboard.writeText(text).then(
      () => setOutcome('copied'),
      (err: unknown) => {
        console.warn(`devmesh: the clipboard refused: ${err instanceof Error ? err.message : String(err)}`);
        setOutcome('failed');
      },
    );
  };
  return (
    <button
      type="button"
      className="btn btn-small copy-button"
      aria-label={label}
      title={outcome === 'failed' ? 'The clipboard refused: select the text and copy it' : `Copy ${text}`}
      data-testid={testId}
      onClick={copy}
    >
      {outcome === 'copied' ? 'Copied' : outcome === 'failed' ? 'Not copied' : 'Copy'}
    </button>
  );
}
