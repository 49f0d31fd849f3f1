// One terminal session: a node-pty process, its output pipeline (UTF-8-safe batches → ring for late views
// → recording → attached views) and per-view flow control. The PTY is paused while any attached view is
// above TERMINAL_FLOW.high unacknowledged characters and resumed when all are below .low; with no view it
// is never paused (output only goes to the ring and the recording).
import type { IPty } from 'node-pty';
import { constants } from 'node:os';
import { TERMINAL_FLOW, type TerminalInfo, type TerminalSignalSchema } from '../../../shared/terminal.js';
import type { z } from 'zod';
import type { AsciicastRecorder } from './asciicast-recorder.js';
import { OutputBatcher } from './output-batcher.js';
import { OutputRing } from './output-ring.js';
import * as ptyExitDrain from './pty-exit-drain.js';
import { TerminalProcessGroup } from './terminal-process-group.js';
import { TerminalViewer, type TerminalSink } from './terminal-viewer.js';

/**
 * node-pty, loaded on the first terminal: its top level loads its native binary, which must not happen while the
 * app's bundle loads (before a dialog can explain a failure). loadNativeModules() (main/core/native) loads that
 * binary at start and explains a failure; this require then finds it loaded.
 */
let nodePty: typeof import('node-pty') | null = null;
function ptySpawn(...args: Parameters<typeof import('node-pty').spawn>): IPty {
  nodePty ??= require('node-pty') as typeof import('node-pty');
  return nodePty.spawn(...args);
}

export type TerminalSignal = z.infer<typeof TerminalSignalSchema>['signal'];

export interface PtySessionDeps {
  id: string;
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  project: string | null;
  cols: number;
  rows: number;
  ringBytes: number;
  recorder: AsciicastRecorder | null;
  /** why there is no recorder although one was asked for (a full disk) */
  recordingNote?: string | null;
  flow?: { batchMs: number; batchBytes: number; high: number; low: number };
  /** something a view shows changed (viewers, paused, size); the manager throttles the event */
  onChanged: (session: PtySession) => void;
  onExited: (session: PtySession) => void;
}

/** while paused, how often to check that the process still lives, so its last output goes out without waiting for acks */
const PAUSED_EXIT_POLL_MS = 50;
const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));

export class PtySession {
  private readonly pty: IPty;
  private readonly group: TerminalProcessGroup;
  private readonly ring: OutputRing;
  private readonly batcher: OutputBatcher;
  private readonly flow: { batchMs: number; batchBytes: number; high: number; low: number };
  private readonly viewers = new Set<TerminalViewer>();
  private readonly exitWaiters: (() => void)[] = [];
  private cols: number;
  private rows: number;
  private paused = false;
  /** the process is gone: what is left in the PTY must be read now, whatever the views have acknowledged */
  private draining = false;
  private exitPoll: NodeJS.Timeout | null = null;
  private bytesOut = 0;
  private exited: { exitCode: number | null; signal: string | null; reason: string; endedAt: number } | null = null;
  private killReason: string | null = null;
  readonly startedAt = Date.now();

  constructor(private readonly deps: PtySessionDeps) {
    this.flow = deps.flow ?? TERMINAL_FLOW;
    this.cols = deps.cols;
    this.rows = deps.rows;
    this.ring = new OutputRing(deps.ringBytes);
    this.batcher = new OutputBatcher(this.flow, (text, bytes) => this.onBatch(text, bytes));
    // encoding null: raw Buffers, decoded by our own StringDecoder so no character is split at a read edge.
    this.pty = ptySpawn(deps.command, deps.args, {
      name: 'xterm-256color',
      cols: deps.cols,
      rows: deps.rows,
      cwd: deps.cwd,
      env: deps.env,
      encoding: null,
    });
    this.group = new TerminalProcessGroup(this.pty.pid);
    this.pty.onData((data) => this.batcher.push(data as unknown as Buffer));
    ptyExitDrain.install(this.pty, (chunk) => this.batcher.push(chunk));
    this.pty.onExit((e) => this.onExit(e.exitCode, e.signal ?? 0));
  }

  get id(): string {
    return this.deps.id;
  }

  get isRunning(): boolean {
    return this.exited === null;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  info(): TerminalInfo {
    return {
      id: this.deps.id,
      name: this.deps.name,
      command: this.deps.command,
      args: [...this.deps.args],
      cwd: this.deps.cwd,
      project: this.deps.project,
      cols: this.cols,
      rows: this.rows,
      pid: this.pty.pid,
      state: this.exited === null ? 'running' : 'exited',
      exitCode: this.exited?.exitCode ?? null,
      signal: this.exited?.signal ?? null,
      exitReason: this.exited?.reason ?? null,
      startedAt: this.startedAt,
      endedAt: this.exited?.endedAt ?? null,
      recording: this.deps.recorder?.id ?? null,
      recordingNote: this.deps.recorder?.note ?? this.deps.recordingNote ?? null,
      bytesOut: this.bytesOut,
      viewers: this.viewers.size,
      paused: this.paused,
    };
  }

  /** Attaches a view: it gets the kept output first (replay), then every batch live, then the exit. */
  attach(sink: TerminalSink): TerminalViewer {
    const viewer = new TerminalViewer(
      sink,
      () => this.updateFlow(),
      (v) => this.detachViewer(v),
    );
    // Replay and registration in one tick: no batch can fall between them or arrive twice. The replay counts
    // as unacknowledged like any output, so a view that cannot keep up with it pauses the PTY too.
    for (const piece of this.ring.pieces(this.flow.batchBytes)) viewer.send(piece);
    if (this.exited === null) this.viewers.add(viewer);
    this.updateFlow();
    this.deps.onChanged(this);
    return viewer;
  }

  write(data: string): void {
    if (this.exited === null) this.pty.write(data);
  }

  resize(cols: number, rows: number): void {
    if (this.exited !== null || (cols === this.cols && rows === this.rows)) return;
    this.cols = cols;
    this.rows = rows;
    this.pty.resize(cols, rows);
    this.deps.recorder?.resize(cols, rows);
    this.deps.onChanged(this);
  }

  /** to the foreground process group, as a key would */
  signal(signal: TerminalSignal): void {
    if (this.exited === null) this.group.signalForeground(signal);
  }

  /**
   * Ends the session: SIGHUP to every process of it (as closing a terminal window does), SIGKILL to what is
   * left after `graceMs`; resolves once node-pty reports the exit (or `graceMs` + 2 s passed).
   */
  async kill(reason: string, graceMs = 1000): Promise<void> {
    if (this.exited !== null) return;
    this.killReason ??= reason;
    // A paused PTY must drain, or the leader's exit waits on a full buffer.
    this.draining = true;
    this.setPaused(false);
    this.group.signalAll('SIGHUP');
    if (await this.waitForExit(graceMs)) {
      this.group.signalAll('SIGKILL'); // background jobs that ignored SIGHUP
      return;
    }
    this.group.signalAll('SIGKILL');
    await this.waitForExit(2000);
  }

  /** true once exited, false when `timeoutMs` passed first */
  waitForExit(timeoutMs: number): Promise<boolean> {
    if (this.exited !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.exitWaiters.splice(this.exitWaiters.indexOf(done), 1);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.exitWaiters.push(done);
    });
  }

  /** Drops what the session keeps in memory (after it exited and was removed). */
  dispose(): void {
    this.batcher.dispose();
    this.ring.clear();
    this.stopExitPoll();
    for (const v of [...this.viewers]) v.detach();
  }

  private onBatch(text: string, bytes: number): void {
    this.bytesOut += bytes;
    this.ring.append(text);
    this.deps.recorder?.output(text);
    for (const v of this.viewers) v.send(text);
    this.updateFlow();
  }

  private updateFlow(): void {
    if (this.exited !== null || this.draining) return;
    let max = 0;
    for (const v of this.viewers) max = Math.max(max, v.pressure);
    if (!this.paused && max > this.flow.high) this.setPaused(true);
    else if (this.paused && max < this.flow.low) this.setPaused(false);
  }

  private setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    if (paused) {
      this.pty.pause();
      this.exitPoll = setInterval(() => {
        if (this.group.leaderGone()) {
          this.draining = true;
          this.setPaused(false);
        }
      }, PAUSED_EXIT_POLL_MS);
    } else {
      this.stopExitPoll();
      this.pty.resume();
    }
    this.deps.onChanged(this);
  }

  private stopExitPoll(): void {
    if (this.exitPoll !== null) clearInterval(this.exitPoll);
    this.exitPoll = null;
  }

  private detachViewer(viewer: TerminalViewer): void {
    if (!this.viewers.delete(viewer)) return;
    this.updateFlow();
    this.deps.onChanged(this);
  }

  private onExit(exitCode: number, signalNumber: number): void {
    this.batcher.end();
    this.stopExitPoll();
    this.paused = false;
    const signal = signalNumber > 0 ? (SIGNAL_NAMES.get(signalNumber) ?? `signal ${signalNumber}`) : null;
    const reason =
      this.killReason ??
      (signal !== null ? `killed by ${signal}` : exitCode === 0 ? 'exited normally' : `exited with code ${exitCode}`);
    this.exited = { exitCode: signal !== null ? null : exitCode, signal, reason, endedAt: Date.now() };
    this.deps.recorder?.close();
    const info = this.info();
    const viewers = [...this.viewers];
    this.viewers.clear();
    for (const v of viewers) v.sink.exit(info);
    for (const w of this.exitWaiters.splice(0)) w();
    this.deps.onExited(this);
  }
}
