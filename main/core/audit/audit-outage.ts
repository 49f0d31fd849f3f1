// While the audit chain cannot be written (a full disk, a read-only file system): the span, its cause, the
// events that happened anyway and could not be recorded (a service crashing, a lock expiring), and the
// decisions refused meanwhile. An outage also begins when the disk is nearly full: DevMesh keeps a small
// reserve so that the decisions it records are refused cleanly before any write can fail halfway.
// When the chain works again, one `audit.outage` entry records all of it, so `audit verify` shows a gap
// instead of saying "ok" over it.
import { AUDIT_OUTAGE_KIND, type AuditAppend, type AuditGap } from '../../../shared/audit.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { StoreGuard } from '../health/store-guard.js';
import * as storageFailure from '../health/storage-failure.js';

/** free bytes DevMesh keeps on the home's disk for the decisions it records */
export const AUDIT_RESERVE_BYTES = 4 * 1024 * 1024;

export const AUDIT_OUTAGE_RULE =
  'decisions that must be recorded (locks, tasks, agents, shared state) are refused with DISK_FULL, nothing ' +
  'changes; events that happen anyway (a service stopping, a lock expiring) are counted, and once the chain ' +
  'can be written one audit.outage entry records the span and the count; DevMesh retries every 2 s';

interface OutageState {
  since: number;
  cause: string;
  code: string;
  unrecorded: number;
  kinds: Map<string, number>;
  refused: number;
}

export class AuditOutage {
  private state: OutageState | null = null;

  constructor(
    private readonly guard: StoreGuard,
    private readonly homeDir: string,
    private readonly reserveBytes: number,
    private readonly now: () => number,
  ) {}

  get active(): boolean {
    return this.state !== null;
  }

  /** An append failed: begins the outage, or counts the event in it. */
  failed(err: unknown, kind: string): void {
    const code = storageFailure.code(err, this.homeDir);
    const cause = err instanceof Error ? err.message : String(err);
    this.state ??= { since: this.now(), cause, code, unrecorded: 0, kinds: new Map(), refused: 0 };
    this.state.unrecorded++;
    this.state.kinds.set(kind, (this.state.kinds.get(kind) ?? 0) + 1);
    this.guard.report(err);
  }

  /** The outage's own entry could not be written yet: reported, not counted as an event. */
  stillFailing(err: unknown): void {
    this.guard.report(err);
  }

  /** Is there room for decisions? Begins an outage when the reserve is gone. */
  roomLeft(): boolean {
    const free = storageFailure.freeBytes(this.homeDir);
    if (free >= this.reserveBytes) return true;
    const err = Object.assign(
      new Error(
        `only ${AuditOutage.size(free)} free; DevMesh keeps ${AuditOutage.size(this.reserveBytes)} for the decisions it records`,
      ),
      { code: 'ENOSPC' },
    );
    this.state ??= {
      since: this.now(),
      cause: err.message,
      code: 'DISK_FULL',
      unrecorded: 0,
      kinds: new Map(),
      refused: 0,
    };
    this.guard.report(err);
    return false;
  }

  /** A decision was refused because of the outage. */
  refuse(what: string): DevMeshError {
    if (this.state) this.state.refused++;
    const problem = this.guard.deps;
    const code = this.state?.code === 'DISK_FULL' || this.state === null ? 'DISK_FULL' : 'STORE_UNAVAILABLE';
    const why = this.state?.cause ?? 'the disk is full';
    return new DevMeshError(
      code,
      `${what} was refused, nothing changed: DevMesh records every such decision in its audit chain ` +
        `(${problem.where}), which cannot be written right now (${why}). ` +
        (code === 'DISK_FULL'
          ? `Free space on the disk holding ${this.homeDir} (\`df -h ${this.homeDir}\`); DevMesh resumes by itself within seconds.`
          : `Check that ${this.homeDir} is writable; DevMesh resumes by itself once it is.`),
    );
  }

  /** The entry that closes the outage (appended once the chain can be written). */
  closingEntry(): AuditAppend {
    const s = this.state!;
    const kinds = Object.fromEntries([...s.kinds.entries()].sort(([a], [b]) => a.localeCompare(b)));
    return {
      actor: 'devmesh',
      kind: AUDIT_OUTAGE_KIND,
      subject: this.guard.deps.where,
      data: {
        from: s.since,
        to: this.now(),
        cause: s.cause.slice(0, 500),
        code: s.code,
        unrecorded: s.unrecorded,
        kinds,
        refused: s.refused,
      },
    };
  }

  /** The gap the outage is making, before its entry is in the chain (seq 0); null when it counts nothing. */
  ongoingGap(): AuditGap | null {
    const s = this.state;
    if (s === null || s.unrecorded === 0) return null;
    return { seq: 0, from: s.since, to: this.now(), unrecorded: s.unrecorded, cause: s.cause };
  }

  ended(): void {
    this.state = null;
    this.guard.succeeded();
  }

  private static size(bytes: number): string {
    return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.floor(bytes / 1024)} KB`;
  }
}
