// Keeps the Review view's store in step with the daemon: the shown agent's summary (review.summary) and open
// file (review.file), fetched again on every review.changed event for that agent and on every reconnect while
// the view is attached; and the view's actions (commit, check, merge, discard), each answering with the
// daemon's own message on failure for the view to show. Answers for an agent or file no longer shown are
// dropped; events arriving while a summary is in flight fold into one more fetch after it.
import type { MergeConflict, MergeOutcome, ReviewSummary } from '../../shared/review.js';
import type { ApiInput } from '../../shared/api.js';
import { DevMeshError } from '../../shared/errors.js';
import type { DevMeshEvent } from '../../shared/events.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import type { AppStores } from '../state/app-stores.js';
import { messageOf } from '../state/list-sync.js';

/** What an action came to: the daemon's own code and message on failure, for the view to show. */
export type ReviewResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export type MergeInput = Omit<ApiInput<'review.merge'>, 'agent'>;

export class ReviewSync {
  private readonly disposers: (() => void)[] = [];
  /** views attached (the Review view while mounted): only they make events and reconnects fetch */
  private attached = 0;
  /** bumps on every summary request, so an older answer landing after a newer one is dropped */
  private summaryGeneration = 0;
  private diffGeneration = 0;
  private inFlight: Promise<void> | null = null;
  /** the running refresh's identity: showing another agent starts a new one */
  private flightToken: object | null = null;
  /** an event arrived while a summary was in flight: fetch once more after it */
  private again = false;

  constructor(
    private readonly client: DevMeshClient,
    private readonly stores: Pick<AppStores, 'review'>,
  ) {
    this.disposers.push(
      client.onEvent((event) => this.onEvent(event)),
      client.onConnectionChange((status) => {
        if (status.state === 'open' && this.attached > 0) void this.refresh();
      }),
    );
  }

  /** The view is shown: fetch what it shows now, and again on events. Returns the detach function. */
  attach(): () => void {
    this.attached++;
    void this.refresh();
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.attached--;
    };
  }

  /** Shows another agent's work and fetches it. */
  showAgent(agentId: string | null): void {
    if (this.stores.review.getState().agentId === agentId) return;
    this.stores.review.getState().showAgent(agentId);
    this.summaryGeneration++;
    this.diffGeneration++;
    this.inFlight = null;
    this.flightToken = null;
    this.again = false;
    if (agentId !== null && this.attached > 0) void this.refresh();
  }

  /** Opens a file in the diff pane and fetches its diff. */
  openFile(path: string | null): void {
    this.stores.review.getState().openFile(path);
    if (path !== null) void this.loadDiff();
  }

  /** The summary again, then the open file's diff (coalesced: one more fetch when asked while in flight). */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    const token = {};
    this.flightToken = token;
    const run = async () => {
      do {
        this.again = false;
        await this.loadSummary();
      } while (this.again && this.flightToken === token);
      if (this.flightToken === token) this.inFlight = null;
    };
    this.inFlight = run();
    return this.inFlight;
  }

  async commit(message: string): Promise<ReviewResult<ReviewSummary>> {
    return this.act(async (agent) => {
      const summary = await this.client.call('review.commit', { agent, message });
      this.take(agent, summary);
      return summary;
    });
  }

  /** Asks the daemon for the conflicts a merge would meet (git merge-tree); nothing in any checkout changes. */
  async check(input: MergeInput): Promise<ReviewResult<MergeConflict[]>> {
    return this.act(async (agent) => (await this.client.call('review.check', { agent, ...input })).conflicts);
  }

  /** Checks first and merges only when no file conflicts; the conflicts found are the answer otherwise. */
  async merge(input: MergeInput): Promise<ReviewResult<MergeOutcome>> {
    const checked = await this.check(input);
    if (!checked.ok) return checked;
    if (checked.value.length > 0) return { ok: true, value: { merged: false, conflicts: checked.value } };
    const result = await this.act((agent) => this.client.call('review.merge', { agent, ...input }));
    if (result.ok) void this.refresh();
    return result;
  }

  /** Removes the worktree (and the branch unless kept); the review of it is gone with it. */
  async discard(options: { keepBranch: boolean; force: boolean }): Promise<ReviewResult<string>> {
    const result = await this.act(async (agent) => {
      const { discarded } = await this.client.call('review.discard', { agent, ...options });
      return discarded;
    });
    // nothing left to review: the view says what was discarded and offers the other agents
    if (result.ok) this.showAgent(null);
    return result;
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
  }

  private async act<T>(run: (agent: string) => Promise<T>): Promise<ReviewResult<T>> {
    const agent = this.stores.review.getState().agentId;
    if (agent === null) return { ok: false, code: 'BAD_REQUEST', message: 'no agent is shown: pick one first' };
    try {
      return { ok: true, value: await run(agent) };
    } catch (err) {
      return { ok: false, code: err instanceof DevMeshError ? err.code : 'INTERNAL', message: messageOf(err) };
    }
  }

  /** a summary an action answered with, taken if its agent is still the one shown */
  private take(agent: string, summary: ReviewSummary): void {
    if (this.stores.review.getState().agentId !== agent) return;
    this.summaryGeneration++;
    this.stores.review.getState().setSummary(summary);
  }

  private async loadSummary(): Promise<void> {
    const review = this.stores.review;
    const agent = review.getState().agentId;
    if (agent === null) return;
    const generation = ++this.summaryGeneration;
    review.getState().loadingSummary();
    try {
      const summary = await this.client.call('review.summary', { agent });
      if (generation !== this.summaryGeneration) return;
      review.getState().setSummary(summary);
    } catch (err) {
      if (generation !== this.summaryGeneration) return;
      if (err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING') return; // the banner's news
      review.getState().failSummary(messageOf(err));
      return;
    }
    if (review.getState().path !== null) await this.loadDiff();
  }

  private async loadDiff(): Promise<void> {
    const review = this.stores.review;
    const { agentId: agent, path } = review.getState();
    if (agent === null || path === null) return;
    const generation = ++this.diffGeneration;
    review.getState().loadingDiff();
    try {
      const diff = await this.client.call('review.file', { agent, path });
      if (generation === this.diffGeneration) review.getState().setDiff(diff);
    } catch (err) {
      if (generation !== this.diffGeneration) return;
      if (err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING') return;
      review.getState().failDiff(messageOf(err));
    }
  }

  private onEvent(event: DevMeshEvent): void {
    if (event.type !== 'review.changed' || this.attached === 0) return;
    if (event.agentId === null || event.agentId !== this.stores.review.getState().agentId) return;
    void this.refresh();
  }
}
