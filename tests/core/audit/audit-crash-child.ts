// Run by audit-crash.test.ts as a bundled child: appends entries until it is killed, printing each seq
// once it is acknowledged (append returned and durable() resolved). argv: <dir> <durability> <count>
import { join } from 'node:path';
import { AuditLog, type AuditDurability } from '../../../main/core/audit/audit-log.js';
import { Database } from '../../../main/core/store/database.js';

const [dir, durability, count] = process.argv.slice(2) as [string, AuditDurability, string];
const db = Database.open(join(dir, 'devmesh.db'));
const log = new AuditLog(db, { mirrorPath: join(dir, '.devmesh', 'audit.jsonl'), durability });
async function run(): Promise<void> {
  for (let i = 1; i <= Number(count); i += 4) {
    // four at a time: 'grouped' acknowledges them together, after one shared sync (as the API does)
    const entries = [0, 1, 2, 3].map((k) =>
      log.append({
        actor: 'crash-child',
        kind: 'test.append',
        subject: `entry ${i + k}`,
        data: { i: i + k, pad: 'x'.repeat((i + k) % 200) },
      }),
    );
    await log.durable();
    // a pipe: written synchronously on Linux, so printed means acknowledged
    for (const entry of entries) process.stdout.write(`${entry.seq}\n`);
  }
  log.dispose();
  db.close();
}
void run();
