// The terminal sessions of this DevMesh, owned by the core (they outlive any window or page): creates them
// with the project's directory and service URLs, routes input/resize/signals, lets views attach, tells
// every face through the EventBus, and on dispose ends every process group it started (no orphans). Each
// session is also given to the process reaper, which ends it should DevMesh die without disposing it.
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { DevMeshError } from '../../../shared/errors.js';
import {
  RECORDINGS_KEPT_BYTES,
  TERMINAL_FLOW,
  TERMINAL_RING_BYTES,
  type TerminalCreateInputSchema,
  type TerminalEvent,
  type TerminalInfo,
} from '../../../shared/terminal.js';
import type { EventBus } from '../events/event-bus.js';
import type { DaemonHealth } from '../health/daemon-health.js';
import { ShellFlavor } from '../environment/shell-flavor.js';
import { AsciicastRecorder, type AsciicastHeaderInput } from './asciicast-recorder.js';
import { PtySession, type TerminalSignal } from './pty-session.js';
import { RecordingStore } from './recording-store.js';
import type { TerminalSink } from './terminal-viewer.js';
import type { TerminalViewer } from './terminal-viewer.js';

export type TerminalCreateOptions = z.output<typeof TerminalCreateInputSchema>;

export interface TerminalProjectContext {
  id: string;
  root: string;
  /** what terminals of this project get on top of DevMesh's own environment (`<SERVICE>_URL`, …) */
  env: Record<string, string>;
}

export interface TerminalManagerDeps {
  events: EventBus;
  logger: Logger;
  recordingsDir: string;
  /** resolves a project reference (id or path); throws PROJECT_NOT_FOUND */
  project: (ref: string) => TerminalProjectContext;
  maxSessions?: number;
  ringBytes?: number;
  flow?: { batchMs: number; batchBytes: number; high: number; low: number };
  /** the environment terminals start from; default process.env */
  baseEnv?: NodeJS.ProcessEnv;
  /** input reached a session (typed in a view, sent by the CLI): an agent's prompt may have been answered */
  onInput?: (id: string) => void;
  /** where a recording that cannot be written is reported (the daemon's health) */
  health?: DaemonHealth;
  /** ends every process of a running terminal's session if DevMesh dies (ProcessReaper) */
  reaper?: { watchSession(sid: number): void; unwatchSession(sid: number): void };
}

export const RECORDINGS_RULE =
  'terminals keep running; a recording stops where the disk filled (its file keeps what was written), and ' +
  'new terminals start unrecorded, saying so, until a recording can be written again';

export const DEFAULT_MAX_TERMINALS = 64;
/** changed events (viewers, paused, size) are coalesced: a flood flips `paused` many times a second */
const CHANGED_THROTTLE_MS = 100;

export class TerminalManager {
  private readonly sessions = new Map<string, PtySession>();
  private readonly changedTimers = new Map<string, NodeJS.Timeout>();
  readonly recordings: RecordingStore;
  private disposed = false;

  constructor(private readonly deps: TerminalManagerDeps) {
    this.recordings = new RecordingStore(deps.recordingsDir, (id) => this.isRecording(id));
  }

  list(): TerminalInfo[] {
    return [...this.sessions.values()].map((s) => s.info());
  }

  get(id: string): PtySession {
    const session = this.sessions.get(id);
    if (session === undefined) {
      const known = [...this.sessions.keys()];
      throw new DevMeshError(
        'TERMINAL_NOT_FOUND',
        `no terminal '${id}'${known.length ? `; open ones: ${known.join(', ')}` : ''}; list them with terminals.list`,
      );
    }
    return session;
  }

  create(input: TerminalCreateOptions): TerminalInfo {
    if (this.disposed) throw new DevMeshError('SHUTTING_DOWN', 'DevMesh is shutting down; no new terminals');
    this.makeRoom();
    const project = input.project !== undefined ? this.deps.project(input.project) : null;
    const base = this.deps.baseEnv ?? process.env;
    const command = input.command ?? TerminalManager.defaultShell(base);
    // The user's own shell, started as Terminal.app and most Linux terminals start it: as a login shell, so
    // it reads ~/.bash_profile, ~/.zprofile or fish's login section. An explicit command runs as given.
    const args =
      input.command === undefined && input.args.length === 0 ? new ShellFlavor(command).loginArgs() : input.args;
    const cwd = input.cwd ?? project?.root ?? homedir();
    if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
      throw new DevMeshError(
        'SPAWN_FAILED',
        `cannot start a terminal in ${cwd}: no such directory; pass an existing cwd`,
      );
    }
    const id = `t-${randomBytes(6).toString('hex')}`;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
    Object.assign(env, project?.env ?? {}, input.env, { DEVMESH_TERMINAL_ID: id, TERM: 'xterm-256color' });
    if (project !== null) env.DEVMESH_PROJECT = project.id;
    const name = input.name ?? basename(command);
    const recording = input.record
      ? this.openRecording({
          id,
          terminalId: id,
          name,
          command: [command, ...args].join(' '),
          cols: input.cols,
          rows: input.rows,
          env,
        })
      : { recorder: null, note: null };
    const recorder = recording.recorder;
    let session: PtySession;
    try {
      session = new PtySession({
        id,
        name,
        command,
        args,
        cwd,
        env,
        project: project?.id ?? null,
        cols: input.cols,
        rows: input.rows,
        ringBytes: this.deps.ringBytes ?? TERMINAL_RING_BYTES,
        recorder,
        recordingNote: recording.note,
        flow: this.deps.flow ?? TERMINAL_FLOW,
        onChanged: (s) => this.scheduleChanged(s),
        onExited: (s) => this.onExited(s),
      });
    } catch (err) {
      if (recorder !== null) {
        recorder.close();
        rmSync(recorder.path, { force: true });
      }
      throw new DevMeshError('SPAWN_FAILED', `could not start '${command}' in ${cwd}: ${(err as Error).message}`);
    }
    this.sessions.set(id, session);
    // node-pty makes the shell a session leader: its pid is the session id of everything it runs
    const pid = session.info().pid;
    if (pid !== null) this.deps.reaper?.watchSession(pid);
    this.deps.logger.info({ domain: 'terminals', id, command, pid: session.info().pid }, 'terminal started');
    this.emit('terminal.started', session);
    return session.info();
  }

  /**
   * A recording for a new terminal; on a full disk the terminal starts without one and says why. The oldest
   * finished recordings are removed first when the folder is over RECORDINGS_KEPT_BYTES.
   */
  private openRecording(header: AsciicastHeaderInput): { recorder: AsciicastRecorder | null; note: string | null } {
    const dir = this.deps.recordingsDir;
    const report = (err: unknown): void => {
      this.deps.health?.fail({ component: 'recordings', error: err, where: dir, rule: RECORDINGS_RULE });
    };
    try {
      const pruned = this.recordings.prune(RECORDINGS_KEPT_BYTES);
      if (pruned.length > 0)
        this.deps.logger.info(
          { domain: 'terminals', removed: pruned },
          'removed the oldest recordings (over the folder cap)',
        );
    } catch (err) {
      this.deps.logger.warn({ domain: 'terminals', err: (err as Error).message }, 'could not prune old recordings');
    }
    let recorder: AsciicastRecorder;
    try {
      recorder = AsciicastRecorder.open(dir, header, { onFailed: (err) => report(err) });
    } catch (err) {
      report(err);
      return { recorder: null, note: `not recorded: ${(err as Error).message}` };
    }
    if (recorder.error !== null) {
      // not even its header fit: no empty file pretending to be a recording
      const note = `not recorded: ${recorder.error}`;
      rmSync(recorder.path, { force: true });
      return { recorder: null, note };
    }
    if (this.deps.health?.has('recordings')) this.deps.health.ok('recordings');
    return { recorder, note: null };
  }

  input(id: string, data: string): TerminalInfo {
    const s = this.running(id, 'send input to');
    s.write(data);
    this.deps.onInput?.(id);
    return s.info();
  }

  resize(id: string, cols: number, rows: number): TerminalInfo {
    const s = this.running(id, 'resize');
    s.resize(cols, rows);
    return s.info();
  }

  signal(id: string, signal: TerminalSignal): TerminalInfo {
    const s = this.running(id, 'signal');
    s.signal(signal);
    return s.info();
  }

  /** Ends the session (idempotent on an exited one) and answers with its final info. */
  async kill(id: string): Promise<TerminalInfo> {
    const s = this.get(id);
    await s.kill('killed by the user');
    return s.info();
  }

  /** Forgets an exited session; its recording stays on disk. */
  remove(id: string): { removed: string } {
    const s = this.get(id);
    if (s.isRunning)
      throw new DevMeshError('CONFLICT', `terminal '${id}' is still running; kill it first (terminals.kill)`);
    this.forget(s);
    return { removed: id };
  }

  /** Attaches a view: replay of the kept output, then live batches; see PtySession.attach. */
  attach(id: string, sink: TerminalSink): { session: PtySession; viewer: TerminalViewer } {
    const session = this.get(id);
    return { session, viewer: session.attach(sink) };
  }

  /** Ends every session's processes (SIGHUP, then SIGKILL) and waits for them. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([...this.sessions.values()].map((s) => s.kill('DevMesh shut down', 300)));
    for (const s of [...this.sessions.values()]) this.forget(s);
  }

  private running(id: string, what: string): PtySession {
    const s = this.get(id);
    if (!s.isRunning)
      throw new DevMeshError(
        'CONFLICT',
        `cannot ${what} terminal '${id}': it has exited (${s.info().exitReason ?? 'ended'})`,
      );
    return s;
  }

  private isRecording(id: string): boolean {
    const s = this.sessions.get(id);
    return s !== undefined && s.isRunning && s.info().recording === id;
  }

  /** At the limit, the oldest exited session is forgotten; when all are running the create is refused. */
  private makeRoom(): void {
    const max = this.deps.maxSessions ?? DEFAULT_MAX_TERMINALS;
    if (this.sessions.size < max) return;
    const oldestExited = [...this.sessions.values()]
      .filter((s) => !s.isRunning)
      .sort((a, b) => a.startedAt - b.startedAt)[0];
    if (oldestExited !== undefined) {
      this.forget(oldestExited);
      return;
    }
    throw new DevMeshError(
      'TERMINAL_LIMIT',
      `${max} terminals are already running; close some (terminals.kill) before opening another`,
    );
  }

  private forget(s: PtySession): void {
    this.clearChanged(s.id);
    s.dispose();
    this.sessions.delete(s.id);
  }

  private onExited(s: PtySession): void {
    this.clearChanged(s.id);
    const info = s.info();
    if (info.pid !== null) this.deps.reaper?.unwatchSession(info.pid);
    this.deps.logger.info({ domain: 'terminals', id: s.id, reason: info.exitReason }, 'terminal exited');
    this.emit('terminal.exited', s);
  }

  private scheduleChanged(s: PtySession): void {
    if (!s.isRunning || this.changedTimers.has(s.id)) return;
    const timer = setTimeout(() => {
      this.changedTimers.delete(s.id);
      if (s.isRunning && this.sessions.has(s.id)) this.emit('terminal.changed', s);
    }, CHANGED_THROTTLE_MS);
    timer.unref();
    this.changedTimers.set(s.id, timer);
  }

  private clearChanged(id: string): void {
    const timer = this.changedTimers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.changedTimers.delete(id);
  }

  private emit(type: TerminalEvent['type'], s: PtySession): void {
    this.deps.events.emit({ type, ts: Date.now(), info: s.info() });
  }

  private static defaultShell(env: NodeJS.ProcessEnv): string {
    if (env.SHELL && existsSync(env.SHELL)) return env.SHELL;
    return existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
  }
}
