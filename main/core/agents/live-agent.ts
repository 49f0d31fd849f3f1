// An agent whose CLI runs in a terminal DevMesh follows: its output feeds the status detector (and the typed
// prompt, until it has gone in), and its terminal's end is heard once. The manager keeps one per running agent
// and decides what a change of status or an exit means for the record.
import type { Logger } from 'pino';
import type { AgentProfile, AgentPromptMethod, AgentRecord } from '../../../shared/agent.js';
import type { Disposable } from '../base/disposable.js';
import { AgentStatusDetector, type AgentStatusChange } from './agent-status-detector.js';
import type { TerminalExit, TerminalLauncher } from './terminal-launcher.js';
import { TypedPrompt } from './typed-prompt.js';

/** a prompt to type into the terminal once the CLI looks ready */
export interface TypedTask {
  text: string;
  method: Extract<AgentPromptMethod, { kind: 'typed' }>;
}

export interface LiveAgentDeps {
  launcher: TerminalLauncher;
  now: () => number;
  logger?: Logger;
  /** quiet time after output that means idle */
  quietMs?: number;
  /** a typed prompt is sent after this long even if the CLI never looked ready (default 15 s) */
  promptMaxWaitMs?: number;
  /** a change of status read from the output (an exit goes to `ended` instead) */
  statusChanged(change: AgentStatusChange): void;
  /** the terminal ended */
  ended(exit: TerminalExit): void;
}

export class LiveAgent implements Disposable {
  readonly terminalId: string;
  readonly detector: AgentStatusDetector;
  /** resolves once the terminal has ended and `ended` has been called */
  readonly exited: Promise<void>;
  /** DevMesh was asked to stop it: its exit is no crash */
  stopping = false;
  private typed: TypedPrompt | null = null;
  private subscriptions: Disposable[] = [];
  private markExited!: () => void;

  constructor(
    record: AgentRecord,
    profile: AgentProfile | null,
    task: TypedTask | null,
    private readonly deps: LiveAgentDeps,
  ) {
    this.terminalId = record.terminalId!;
    const detector = new AgentStatusDetector(
      { waitingPatterns: profile?.waitingPatterns ?? [], quietMs: deps.quietMs },
      (change) => deps.statusChanged(change),
    );
    this.detector = detector;
    this.exited = new Promise<void>((r) => (this.markExited = r));
    if (task) {
      this.typed = new TypedPrompt(task.text, task.method, {
        write: (data) => deps.launcher.write(this.terminalId, data),
        tail: () => detector.text,
        canType: () => detector.status !== 'exited',
        typed: () => detector.noteInput(deps.now()),
        failed: (err) =>
          deps.logger?.warn({ domain: 'agents', agent: record.id, err: String(err) }, 'could not type the prompt'),
        maxWaitMs: deps.promptMaxWaitMs ?? 15_000,
      });
    }
  }

  /** Subscribes to the terminal; called once the manager has registered it (an exit may be heard at once). */
  follow(): void {
    const { launcher, now } = this.deps;
    this.subscriptions.push(
      launcher.onOutput(this.terminalId, (data) => {
        this.detector.feed(data, now());
        this.typed?.output();
      }),
      launcher.onExit(this.terminalId, (exit) => {
        this.deps.ended(exit);
        this.markExited();
      }),
    );
  }

  /** Stops following the terminal (it ended, or DevMesh lets it run on without following it). */
  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
    this.typed?.dispose();
    this.typed = null;
  }
}
