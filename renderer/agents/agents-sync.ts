// Keeps the agents store in step with the daemon: the whole list on every (re)connect (events emitted while
// disconnected are gone), agent.status events in between, and a toast when an agent starts waiting for the
// user. Also the Terminals view's agent actions (start, stop, relaunch, remove): each answers with the record,
// which the store takes at once, and a started or relaunched agent's terminal tab is brought forward; and a
// started agent's budget (usage.setBudget).
import type { AgentDetection, AgentProfile, AgentRecord, AgentStartInput } from '../../shared/agent.js';
import { DevMeshError } from '../../shared/errors.js';
import type { DevMeshEvent } from '../../shared/events.js';
import type { AgentUsage, UsageBudgetUnit } from '../../shared/usage.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import type { AppStores } from '../state/app-stores.js';
import { ListSync, messageOf } from '../state/list-sync.js';

export interface AgentProfileChoice {
  profile: AgentProfile;
  detection: AgentDetection;
}

/** What a start or a profile lookup came to: the daemon's own message on failure, for the form to show. */
export type AgentResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** how long a started agent's tab is awaited when its terminal.started event has not arrived yet */
const TAB_WAIT_MS = 10_000;

export class AgentsSync {
  private readonly list: ListSync<AgentRecord[]>;
  /** tabs awaited after a start or relaunch (see showTerminal), each ended by its own timer or on dispose */
  private readonly tabWaits = new Set<() => void>();

  constructor(
    private readonly client: DevMeshClient,
    private readonly stores: Pick<AppStores, 'agents' | 'terminals' | 'toasts'>,
  ) {
    this.list = new ListSync(client, {
      list: () => client.call('agents.list', {}),
      store: stores.agents,
      what: 'agents',
      onEvent: (event) => this.onEvent(event),
    });
  }

  refresh(): Promise<void> {
    return this.list.refresh();
  }

  /** The CLIs the daemon knows and which are installed (it runs `<cli> --version`, so asked when needed). */
  async profiles(): Promise<AgentResult<AgentProfileChoice[]>> {
    try {
      return { ok: true, value: await this.client.call('agents.profiles', {}) };
    } catch (err) {
      return failure(err);
    }
  }

  /** Starts an agent; on success its terminal tab is shown in the focused pane. */
  async start(input: AgentStartInput): Promise<AgentResult<AgentRecord>> {
    try {
      const record = await this.client.call('agents.start', input);
      this.stores.agents.getState().upsert(record);
      if (record.terminalId) this.showTerminal(record.terminalId);
      return { ok: true, value: record };
    } catch (err) {
      return failure(err);
    }
  }

  /** Sets a started agent's budget (usage.setBudget; agents.start takes none), warned at the daemon's default. */
  async setBudget(agentId: string, budget: { unit: UsageBudgetUnit; limit: number }): Promise<AgentResult<AgentUsage>> {
    try {
      return { ok: true, value: await this.client.call('usage.setBudget', { agent: agentId, ...budget }) };
    } catch (err) {
      return failure(err);
    }
  }

  async stop(id: string): Promise<void> {
    await this.act(id, 'stop', () => this.client.call('agents.stop', { agent: id }));
  }

  /** Runs the agent again in a new terminal, whose tab is then shown. */
  async relaunch(id: string): Promise<void> {
    const record = await this.act(id, 'relaunch', () => this.client.call('agents.relaunch', { agent: id }));
    if (record?.terminalId) this.showTerminal(record.terminalId);
  }

  /** Forgets an exited agent (its worktree and branch stay: the CLI removes those on request). */
  async remove(id: string): Promise<void> {
    try {
      await this.client.call('agents.remove', { agent: id });
      this.stores.agents.getState().remove(id);
    } catch (err) {
      this.stores.toasts.getState().push(err, `could not remove agent ${this.nameOf(id)}`);
    }
  }

  /** Shows the session's tab, now if the terminals store has it, else as soon as its event brings it. */
  showTerminal(terminalId: string): void {
    const terminals = this.stores.terminals;
    if (terminals.getState().ids.includes(terminalId)) return terminals.getState().show(terminalId);
    const stop = terminals.subscribe((s) => {
      if (!s.ids.includes(terminalId)) return;
      done();
      s.show(terminalId);
    });
    const timer = setTimeout(() => done(), TAB_WAIT_MS);
    const done = () => {
      clearTimeout(timer);
      stop();
      this.tabWaits.delete(done);
    };
    this.tabWaits.add(done);
  }

  dispose(): void {
    this.list.dispose();
    for (const d of [...this.tabWaits]) d();
  }

  private async act(id: string, verb: string, call: () => Promise<AgentRecord>): Promise<AgentRecord | null> {
    try {
      const record = await call();
      this.stores.agents.getState().upsert(record);
      return record;
    } catch (err) {
      this.stores.toasts.getState().push(err, `could not ${verb} agent ${this.nameOf(id)}`);
      return null;
    }
  }

  private nameOf(id: string): string {
    return this.stores.agents.getState().byId[id]?.name ?? id;
  }

  private onEvent(event: DevMeshEvent): void {
    if (event.type !== 'agent.status') return;
    this.stores.agents.getState().upsert(event.record);
    // Waiting means the agent is blocked on the user (a permission question): say so wherever the user is.
    if (event.to === 'waiting' && event.from !== 'waiting') {
      this.stores.toasts
        .getState()
        .notify('AGENT_WAITING', `${event.name} is waiting for you${event.reason ? ` (${event.reason})` : ''}`);
    }
  }
}

function failure(err: unknown): { ok: false; code: string; message: string } {
  return { ok: false, code: err instanceof DevMeshError ? err.code : 'INTERNAL', message: messageOf(err) };
}
