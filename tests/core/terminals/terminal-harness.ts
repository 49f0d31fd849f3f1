// A TerminalManager over a temp recordings folder, and a viewer that records what it is sent, for tests
// with real PTYs. Every wait has a deadline.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { TerminalManager, type TerminalManagerDeps } from '../../../main/core/terminals/terminal-manager.js';
import type { TerminalViewer } from '../../../main/core/terminals/terminal-viewer.js';
import { TerminalCreateInputSchema, type TerminalCreateInput, type TerminalInfo } from '../../../shared/terminal.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import { scaled } from '../../helpers/load-scale.js';

export const BASH = ['--norc', '--noprofile', '-i'];
export const PROMPT = 'READY> ';

export class TerminalHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'devmesh-term-'));
  readonly events = new EventBus();
  readonly seen: DevMeshEvent[] = [];
  readonly manager: TerminalManager;

  constructor(options: Partial<TerminalManagerDeps> = {}) {
    this.events.onDidEmitEvent((e) => this.seen.push(e));
    this.manager = new TerminalManager({
      events: this.events,
      logger: pino({ level: 'silent' }),
      recordingsDir: join(this.dir, 'recordings'),
      project: () => {
        throw new Error('no projects in this harness');
      },
      ...options,
    });
  }

  create(input: TerminalCreateInput): TerminalInfo {
    return this.manager.create(TerminalCreateInputSchema.parse(input));
  }

  /** an interactive bash with a known prompt and no rc files */
  bash(extra: Partial<TerminalCreateInput> = {}): TerminalInfo {
    return this.create({ command: '/bin/bash', args: BASH, env: { PS1: PROMPT }, cwd: this.dir, ...extra });
  }

  /** `bash()` with a recording viewer attached, once its first prompt is on the screen */
  async promptedBash(
    extra: Partial<TerminalCreateInput> = {},
  ): Promise<{ terminal: TerminalInfo; viewer: RecordingViewer }> {
    const terminal = this.bash(extra);
    const viewer = new RecordingViewer().attach(this.manager, terminal.id);
    await viewer.until(new RegExp(`${PROMPT}$`));
    return { terminal, viewer };
  }

  async dispose(): Promise<void> {
    await this.manager.dispose();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A viewer that keeps what it received; acks only when told (or automatically with `autoAck`). */
export class RecordingViewer {
  text = '';
  exitInfo: TerminalInfo | null = null;
  viewer!: TerminalViewer;

  constructor(private readonly autoAck = true) {}

  attach(manager: TerminalManager, id: string): this {
    this.viewer = manager.attach(id, {
      output: (t) => {
        this.text += t;
        if (this.autoAck) queueMicrotask(() => this.viewer.ack(t.length));
      },
      exit: (info) => {
        this.exitInfo = info;
      },
      backlog: () => 0,
    }).viewer;
    return this;
  }

  /** resolves with the text once it matches, or rejects with what arrived */
  until(re: RegExp, timeoutMs = 5000, from = 0): Promise<string> {
    return waitFor(
      () => re.test(this.text.slice(from)),
      timeoutMs,
      () => `no ${re} in ${JSON.stringify(this.text.slice(-500))}`,
    ).then(() => this.text);
  }
}

/** Polls `check` until it holds; the limit is for a quiet machine and grows with the load (scaled). */
export async function waitFor(
  check: () => boolean,
  quietMs = 5000,
  describe: () => string = () => 'condition',
): Promise<void> {
  const timeoutMs = scaled(quietMs);
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** a live process (a zombie awaiting its parent's wait counts as gone) */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
