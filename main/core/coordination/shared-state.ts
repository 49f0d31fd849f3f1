// The small key-value state agents share (a plan, who reviews what, a build's status), kept in the store.
// Every set bumps the key's version; a set may name the version it expects (compare-and-set), so two
// agents updating one key cannot overwrite each other unseen.
import { DevMeshError } from '../../../shared/errors.js';
import { STATE_VALUE_MAX_BYTES, type StateEntry } from '../../../shared/message.js';
import { canonicalJson } from '../audit/canonical-json.js';
import type { Database } from '../store/database.js';

interface StateRow {
  key: string;
  value_json: string;
  version: number;
  updated_by: string;
  updated_at: number;
}

export class SharedState {
  private readonly getStmt;
  private readonly upsertStmt;
  private readonly deleteStmt;
  private readonly setTx;

  constructor(
    private readonly database: Database,
    /** `by`: who set or deleted it (a deletion leaves no entry to say so) */
    private readonly onChanged: (key: string, entry: StateEntry | null, by: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    const db = database.db;
    this.getStmt = db.prepare('SELECT * FROM shared_state WHERE key = ?');
    this.upsertStmt = db.prepare(
      'INSERT INTO shared_state (key, value_json, version, updated_by, updated_at) VALUES (@key, @value_json, @version, @updated_by, @updated_at) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, version = excluded.version, updated_by = excluded.updated_by, updated_at = excluded.updated_at',
    );
    this.deleteStmt = db.prepare('DELETE FROM shared_state WHERE key = ?');
    this.setTx = db.transaction(
      (
        key: string,
        value: unknown,
        by: string,
        expected: number | undefined,
      ): { entry: StateEntry | null; changed: boolean } => {
        const current = this.getStmt.get(key) as StateRow | undefined;
        const version = current?.version ?? 0;
        if (expected !== undefined && expected !== version) {
          throw new DevMeshError(
            'CONFLICT',
            `state "${key}" is at version ${version}${current ? ` (set by ${current.updated_by})` : ' (absent)'}, not ${expected}: someone changed it since you read it; get it again, merge, and set with the new version`,
          );
        }
        if (value === null || value === undefined)
          return { entry: null, changed: this.deleteStmt.run(key).changes > 0 };
        const row: StateRow = {
          key,
          value_json: canonicalJson(value),
          version: version + 1,
          updated_by: by,
          updated_at: this.now(),
        };
        this.upsertStmt.run(row);
        return { entry: SharedState.toEntry(row), changed: true };
      },
    );
  }

  get(key: string): StateEntry | null {
    const row = this.getStmt.get(key) as StateRow | undefined;
    return row ? SharedState.toEntry(row) : null;
  }

  /** null deletes the key. */
  set(input: { key: string; value: unknown; by: string; expectedVersion?: number }): StateEntry | null {
    if (input.value !== null && input.value !== undefined) {
      const size = Buffer.byteLength(canonicalJson(input.value));
      if (size > STATE_VALUE_MAX_BYTES) {
        throw new DevMeshError(
          'MESSAGE_TOO_LARGE',
          `state "${input.key}" would be ${size} bytes, over ${STATE_VALUE_MAX_BYTES}; keep the state small and put large things in files`,
        );
      }
    }
    const { entry, changed } = this.setTx(input.key, input.value, input.by, input.expectedVersion);
    // deleting a key that is not there changes nothing: no event, no audit entry
    if (changed) this.onChanged(input.key, entry, input.by);
    return entry;
  }

  /**
   * A teammate's set, as it told it (it decided and audited it there): kept when newer than this copy (a higher
   * version; a deletion is `entry` null with the version it ended). Returns whether it changed this copy.
   */
  replicate(key: string, entry: StateEntry | null, version: number): boolean {
    const current = this.get(key)?.version ?? 0;
    if (version <= current) return false;
    if (entry === null) return this.deleteStmt.run(key).changes > 0;
    this.upsertStmt.run({
      key,
      value_json: canonicalJson(entry.value),
      version: entry.version,
      updated_by: entry.updatedBy,
      updated_at: entry.updatedAt,
    });
    return true;
  }

  list(prefix?: string): StateEntry[] {
    const rows = (
      prefix
        ? this.database.db
            .prepare('SELECT * FROM shared_state WHERE substr(key, 1, length(?)) = ? ORDER BY key')
            .all(prefix, prefix)
        : this.database.db.prepare('SELECT * FROM shared_state ORDER BY key').all()
    ) as StateRow[];
    return rows.map((r) => SharedState.toEntry(r));
  }

  private static toEntry(r: StateRow): StateEntry {
    return {
      key: r.key,
      value: JSON.parse(r.value_json) as unknown,
      version: r.version,
      updatedBy: r.updated_by,
      updatedAt: r.updated_at,
    };
  }
}
