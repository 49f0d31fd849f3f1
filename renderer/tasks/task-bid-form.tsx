// A bid made by the operator on behalf of a running agent that cannot bid itself (a CLI without DevMesh's
// MCP tools): which agent, its estimate, the capabilities it offers. Scored like any other bid.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { TaskInfo } from '../../shared/task.js';
import { useApp } from '../shell/app-context.js';
import { useCoordination } from '../command-center/command-center-syncs.js';

export function TaskBidForm({ task }: { task: TaskInfo }) {
  const { stores, agents: agentsSync } = useApp();
  const { tasks } = useCoordination();
  // An agent started elsewhere (the CLI) is announced at its first status change, not at its start: list
  // them again so one just started can be picked.
  useEffect(() => void agentsSync.refresh(), [agentsSync]);
  const agentsById = useStore(stores.agents, (s) => s.byId);
  const live = useMemo(() => Object.values(agentsById).filter((a) => a.status !== 'exited'), [agentsById]);
  const [agent, setAgent] = useState('');
  const [estimate, setEstimate] = useState('30');
  const [capabilities, setCapabilities] = useState(task.capabilities.join(', '));
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = agent !== '' && live.some((a) => a.id === agent) ? agent : (live[0]?.id ?? '');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const minutes = Number(estimate);
    if (busy || chosen === '') return;
    if (!Number.isFinite(minutes) || minutes < 0)
      return setMessage({ ok: false, text: 'the estimate is a number of minutes' });
    setBusy(true);
    const caps = capabilities
      .split(/[,\s]+/)
      .map((c) => c.trim().toLowerCase())
      .filter((c) => c !== '');
    const result = await tasks.bid({
      task: task.id,
      agent: chosen,
      estimateMinutes: minutes,
      capabilities: caps,
      note: 'bid by the user in the command center',
    });
    setBusy(false);
    setMessage(
      result.ok
        ? { ok: true, text: `bid placed: score ${result.value.score.toFixed(3)}` }
        : { ok: false, text: result.message },
    );
  };

  if (live.length === 0) return <div className="muted">No running agent to bid for.</div>;
  return (
    <form className="coord-form coord-inline-form" data-testid="task-bid-form" onSubmit={(e) => void submit(e)}>
      <select
        className="coord-input"
        value={chosen}
        onChange={(e) => setAgent(e.target.value)}
        aria-label="Agent"
        data-testid="task-bid-agent"
      >
        {live.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </select>
      <input
        className="coord-input coord-narrow"
        type="number"
        min={0}
        value={estimate}
        onChange={(e) => setEstimate(e.target.value)}
        aria-label="Estimate in minutes"
        title="estimate, minutes"
        data-testid="task-bid-estimate"
      />
      <span className="muted">min</span>
      <input
        className="coord-input coord-grow"
        value={capabilities}
        onChange={(e) => setCapabilities(e.target.value)}
        placeholder="capabilities offered"
        aria-label="Capabilities offered"
      />
      <button type="submit" className="btn" disabled={busy} data-testid="task-bid-submit">
        Bid
      </button>
      {message && (
        <div className={message.ok ? 'coord-note' : 'coord-refusal'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </div>
      )}
    </form>
  );
}
