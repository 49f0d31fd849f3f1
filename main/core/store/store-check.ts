// A read-only look at a store file (the live devmesh.db, or a backup): is it there, is it a database, does
// PRAGMA integrity_check pass, which schema, and is the audit chain present (its tables, entries 1..head
// without a hole at the end). Opened read-only, so checking never changes the file, and safe beside a
// running daemon (WAL readers do not disturb writers). The hash chain itself is `devmesh audit verify`'s.
import BetterSqlite3 from 'better-sqlite3';
import { statSync } from 'node:fs';
import { z } from 'zod';
import { Database } from './database.js';

export const StoreStateSchema = z.enum(['ok', 'new', 'missing', 'empty', 'corrupt', 'unreadable']);

export const StoreCheckSchema = z.object({
  path: z.string(),
  /** ok; new: no store yet in a new home; missing / empty: gone where it held data; corrupt; unreadable */
  state: StoreStateSchema,
  bytes: z.number().nullable(),
  schema: z.number().nullable(),
  /** what integrity_check said (["ok"] when sound; at most 20 findings) */
  integrity: z.array(z.string()),
  audit: z.object({ entries: z.number(), head: z.number() }).nullable(),
  problems: z.array(z.string()),
});
export type StoreCheck = z.infer<typeof StoreCheckSchema>;

/** the schema version that created the audit chain's tables (migration 006) */
const AUDIT_SCHEMA = 6;

/** `heldData`: the home's StoreMarker says this store held data (a missing or empty one is then a problem). */
export function check(path: string, heldData: boolean): StoreCheck {
  const result: StoreCheck = {
    path,
    state: 'ok',
    bytes: null,
    schema: null,
    integrity: [],
    audit: null,
    problems: [],
  };
  try {
    result.bytes = statSync(path).size;
  } catch {
    result.state = heldData ? 'missing' : 'new';
    if (heldData) result.problems.push(`the store ${path} is missing, but it held data: it was deleted or moved`);
    return result;
  }
  let db: BetterSqlite3.Database | null = null;
  try {
    db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
    const tables = new Set(names.map((r) => r.name));
    if (tables.size === 0) {
      result.state = heldData ? 'empty' : 'new';
      const what = `the store ${path} has no tables (${result.bytes} bytes)`;
      if (heldData) result.problems.push(`${what}, but it held data: it was emptied or replaced`);
      return result;
    }
    const findings = db.pragma('integrity_check(20)') as Array<Record<string, string>>;
    result.integrity = findings.map((r) => String(Object.values(r)[0]));
    result.schema = db.pragma('user_version', { simple: true }) as number;
    if (result.integrity.length !== 1 || result.integrity[0] !== 'ok') {
      result.state = 'corrupt';
      const first = result.integrity.slice(0, 3).join('; ');
      result.problems.push(`the store ${path} is damaged: integrity_check found ${first}`);
      return result;
    }
    checkAudit(db, tables, result);
  } catch (err) {
    result.state = Database.isCorruption(err) ? 'corrupt' : 'unreadable';
    result.problems.push(
      result.state === 'corrupt'
        ? `the store ${path} is damaged (${(err as Error).message})`
        : `the store ${path} cannot be read (${(err as Error).message}); check its permissions`,
    );
  } finally {
    db?.close();
  }
  return result;
}

/** Is this file a sound DevMesh store (a backup worth restoring)? The problems say why not. */
export function sound(path: string): StoreCheck {
  const result = check(path, true);
  if (result.state === 'ok' && (result.schema ?? 0) < 1) {
    result.state = 'unreadable';
    result.problems.push(`${path} is a database, but not a DevMesh store (schema version 0)`);
  }
  return result;
}

function checkAudit(db: BetterSqlite3.Database, tables: Set<string>, result: StoreCheck): void {
  if (!tables.has('audit_entries') || !tables.has('audit_head')) {
    if ((result.schema ?? 0) >= AUDIT_SCHEMA) {
      result.problems.push(
        `the audit chain's tables are missing from ${result.path} (schema ${result.schema} has them): ` +
          'they were dropped outside DevMesh',
      );
    }
    return;
  }
  const head = (db.prepare('SELECT seq FROM audit_head WHERE id = 1').get() as { seq: number } | undefined)?.seq;
  const chain = db.prepare('SELECT count(*) AS entries, COALESCE(MAX(seq), 0) AS last FROM audit_entries').get();
  const { entries, last } = chain as { entries: number; last: number };
  result.audit = { entries, head: head ?? -1 };
  if (head === undefined) {
    result.problems.push(`the audit chain's head is missing from ${result.path}: \`devmesh audit verify\` says more`);
  } else if (last !== head || entries !== head) {
    result.problems.push(
      `the audit chain in ${result.path} has ${entries} entries up to ${last}, but its head says ${head}: ` +
        'entries were removed or added outside DevMesh; `devmesh audit verify` names the first one',
    );
  }
}
