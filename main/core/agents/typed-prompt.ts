// A prompt typed into an agent's terminal once its CLI looks ready, for CLIs whose prompt cannot go on the
// command line: its readyPattern shows in the output's tail, or its output has settled (settleMs), or at the
// latest after maxWaitMs. Typed as one line and Enter: a newline inside would submit the first line alone in
// most agent TUIs. Its timers' failures are contained here (reported), never thrown into the event loop.
import type { AgentPromptMethod } from '../../../shared/agent.js';
import type { Disposable } from '../base/disposable.js';

export interface TypedPromptDeps {
  /** writes to the terminal's input */
  write(data: string): void;
  /** the output so far (the status detector's text) */
  tail(): string;
  /** false once the agent has exited */
  canType(): boolean;
  /** the prompt went in */
  typed(): void;
  failed(err: unknown): void;
  maxWaitMs: number;
}

export class TypedPrompt implements Disposable {
  private settle: NodeJS.Timeout | null = null;
  private readonly deadline: NodeJS.Timeout;
  /** compiled once: output() runs for every chunk until the prompt goes in (no `g` flag, so no lastIndex) */
  private readonly ready: RegExp | null = null;
  private done = false;

  constructor(
    private readonly text: string,
    private readonly method: Extract<AgentPromptMethod, { kind: 'typed' }>,
    private readonly deps: TypedPromptDeps,
  ) {
    this.deadline = setTimeout(() => this.send(), deps.maxWaitMs);
    this.deadline.unref();
    if (method.readyPattern === undefined) return;
    try {
      this.ready = new RegExp(method.readyPattern, 'im');
    } catch (err) {
      // profiles check their patterns when loaded; should one slip through, the prompt goes in once output settles
      deps.failed(err);
    }
  }

  /** Output arrived: the prompt goes in at the ready pattern, or once the output settles. */
  output(): void {
    if (this.done) return;
    if (this.ready?.test(this.deps.tail().slice(-2048))) {
      this.send();
      return;
    }
    if (this.settle) clearTimeout(this.settle);
    this.settle = setTimeout(() => this.send(), this.method.settleMs ?? 800);
    this.settle.unref();
  }

  dispose(): void {
    this.done = true;
    if (this.settle) clearTimeout(this.settle);
    clearTimeout(this.deadline);
  }

  private send(): void {
    if (this.done) return;
    this.dispose();
    if (!this.deps.canType()) return;
    try {
      this.deps.write(`${this.text.replace(/\r?\n/g, ' ')}\r`);
      this.deps.typed();
    } catch (err) {
      this.deps.failed(err);
    }
  }
}
