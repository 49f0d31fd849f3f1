// Run by audit-crash.test.ts as a bundled child: appends entries until it is killed, printing each seq
// once append has returned (acknowledged). argv: <dir> <durability> <count>
import { join } from 'node:path';
import { AuditLog, type AuditDurability } from '../../../main/core/audit/audit-log.js';
import { Database } from '../../../main/core/store/database.js';

const [dir, durability, count] = process.argv.slice(2) as [string, AuditDurability, string];
const db = Database.open(join(dir, 'devmesh.db'));
const log = new AuditLog(db, { mirrorPath: join(dir, '.devmesh', 'audit.jsonl'), durability });
for (let i = 1; i <= Number(count); i++) {
  const entry = log.append({ actor: 'crash-child', kind: 'test.append', subject: `entry ${i}`, data: { i, pad: 'x'.repeat(i % 200) } });
  process.stdout.write(`${entry.seq}\n`); // a pipe: written synchronously on Linux, so printed means acknowledged
}
log.dispose();
db.close();
