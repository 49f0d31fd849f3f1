// The Team view: this machine and every teammate's machine the daemon has heard from over the mesh, with the
// human at each and their agents, live (listed again shortly after each team.machine / team.agent event, and
// after this machine's own agent, task and project events). An unreachable machine stays, as last seen.
import { useStore } from 'zustand';
import { useNow } from '../common/use-now.js';
import { TeamMachinePanel } from './team-machine-panel.js';
import { useTeam } from './team-sync.js';
import '../styles/coordination.css';
import '../styles/team.css';

export function TeamView() {
  const { store } = useTeam();
  const machines = useStore(store, (s) => s.machines);
  const loaded = useStore(store, (s) => s.loaded);
  const error = useStore(store, (s) => s.error);
  const now = useNow();
  const teammates = machines.filter((m) => !m.local);
  return (
    <div className="coord-view team-view" data-testid="team-view">
      {error !== null && (
        <div className="banner banner-warn" role="alert">
          {error}
        </div>
      )}
      <div className="coord-scroll">
        {!loaded && error === null && <div className="empty">Listing the team…</div>}
        {machines.map((m) => (
          <TeamMachinePanel key={m.machineId} machine={m} now={now} />
        ))}
        {loaded && teammates.length === 0 && (
          <div className="empty">
            No teammate yet: their machines show here once they are linked (`devmesh mesh invite`).
          </div>
        )}
      </div>
    </div>
  );
}
