// Sections 4 and 5 of bench/locks.mjs, on a real Database (main/core/store/database.ts: WAL,
// synchronous=NORMAL, every migration) in the run's temp folder (same disk as the daemon's home):
//   4. AuditLog appends/s with durability 'full' (synchronous=FULL for the commit, then the mirror line
//      fdatasynced), 'grouped' (the daemon's: group commit, one sync per turn that durable() awaits; with 1
//      and with 8 appends per sync) and 'batched' (no syncs; a checkpoint + mirror sync every 200 ms); baselines
//      on the same disk: plain better-sqlite3 inserts of a row of the same size, one transaction per row, in
//      WAL with synchronous=FULL (for 'full') and synchronous=NORMAL (for 'batched').
//   5. `audit verify` (AuditLog.verify: the chain, the head and the JSONL mirror) of 1,000,000 entries
//      appended with 'batched' durability: through AuditLog.append for up to --append-seconds (about 5,000
//      appends/s on the loaded 2-core box, so 1 M would take minutes), the rest written in bulk with the
//      same encoding (bulkFill below); verify walks and checks every one of them either way.
import { closeSync, fdatasyncSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as breathe } from 'node:timers/promises';
import { BetterSqlite3, f0, f1, f2, printTable, rate, timedLoop, times } from './lib.mjs';

const entry = (i) => ({
  actor: `agent-${i % 50}`,
  kind: 'lock.granted',
  subject: `src/f${i % 10}.ts`,
  data: {
    root: '/tmp/p',
    project: 'bench',
    lockId: `lock-${i}`,
    mode: 'WRITE',
    ttlMs: 30000,
    waitedMs: 0,
    previousMode: null,
  },
});

function openLog(core, dir, durability) {
  const database = core.Database.open(join(dir, 'devmesh.db'));
  const o = { database, log: new core.AuditLog(database, { mirrorPath: join(dir, 'audit.jsonl'), durability }) };
  o.dispose = () => (o.log.dispose(), database.close()); // the log in use: section 5 reopens it
  return o;
}

/** plain inserts of a row shaped like an audit row, one transaction per row */
function plainInserts(Sqlite, dir, synchronous) {
  const db = new Sqlite(join(dir, `plain-${synchronous}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(
    'CREATE TABLE t (seq INTEGER PRIMARY KEY, ts INTEGER, actor TEXT, kind TEXT, subject TEXT, data_json TEXT, prev_hash TEXT, hash TEXT)',
  );
  const ins = db.prepare(
    'INSERT INTO t (ts, actor, kind, subject, data_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const tx = db.transaction((i) => {
    const e = entry(i);
    ins.run(Date.now(), e.actor, e.kind, e.subject, JSON.stringify(e.data), 'a'.repeat(64), 'b'.repeat(64));
  });
  return { step: (i) => tx.immediate(i), dispose: () => db.close() };
}

export async function auditAppends(ctx, opts) {
  const Sqlite = BetterSqlite3();
  console.log(`4. audit appends/s (AuditLog on a real Database in ${ctx.work}; ${opts.auditSeconds} s per row)`);
  const rows = [];
  const measure = async (label, dir, make) => {
    mkdirSync(dir, { recursive: true });
    const subject = make(dir);
    try {
      await timedLoop(subject.step, { max: 20 }); // warm-up
      const r = await timedLoop(subject.step, { seconds: opts.auditSeconds });
      return { label, ...r, perSec: rate(r.n, r.ms) };
    } finally {
      subject.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const appender = (durability) => (dir) => {
    const l = openLog(ctx.core, dir, durability);
    return { step: (i) => l.log.append(entry(i)), dispose: l.dispose };
  };
  const plainFull = await measure(
    'plain SQLite insert, tx per row, synchronous=FULL (baseline)',
    join(ctx.work, 'a1'),
    (d) => plainInserts(Sqlite, d, 'FULL'),
  );
  const full = await measure("AuditLog.append, durability 'full'", join(ctx.work, 'a2'), appender('full'));
  const plainNormal = await measure(
    'plain SQLite insert, tx per row, synchronous=NORMAL (baseline)',
    join(ctx.work, 'a3'),
    (d) => plainInserts(Sqlite, d, 'NORMAL'),
  );
  const batched = await measure("AuditLog.append, durability 'batched'", join(ctx.work, 'a4'), appender('batched'));
  // 'grouped' (the daemon's): appends then awaits durable(), k decisions per sync as k concurrent API calls would
  const grouped = async (k) => {
    const dir = join(ctx.work, `a5-${k}`);
    mkdirSync(dir, { recursive: true });
    const l = openLog(ctx.core, dir, 'grouped');
    try {
      let n = 0;
      const t0 = performance.now();
      const end = t0 + opts.auditSeconds * 1000;
      while (performance.now() < end) {
        for (let j = 0; j < k; j++) l.log.append(entry(n++));
        await l.log.durable();
      }
      const ms = performance.now() - t0;
      return {
        label: `AuditLog.append + durable(), durability 'grouped' (the daemon's), ${k} per sync`,
        n,
        ms,
        perSec: rate(n, ms),
      };
    } finally {
      l.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const grouped1 = await grouped(1);
  const grouped8 = await grouped(8);
  const row = (r, base) => [
    r.label,
    f0(r.n),
    f0(r.perSec),
    f2(r.ms / r.n),
    r === base ? '1.00×' : times(r.perSec / base.perSec),
  ];
  rows.push(
    row(plainFull, plainFull),
    row(full, plainFull),
    row(grouped1, plainFull),
    row(grouped8, plainFull),
    row(plainNormal, plainNormal),
    row(batched, plainNormal),
  );
  printTable(['writer', 'appends', 'per s', 'ms each', 'vs its baseline'], rows);
  console.log(
    `  'full' against plain FULL inserts: ${times(full.perSec / plainFull.perSec)} (each append also fdatasyncs the mirror line); 'grouped' 8 per sync against 'full': ${times(grouped8.perSec / full.perSec)}; 'batched' against 'full': ${times(batched.perSec / full.perSec)}\n`,
  );
  return { full: full.perSec, grouped1: grouped1.perSec, grouped8: grouped8.perSec, batched: batched.perSec };
}

/**
 * Writes entries seq head+1..`to` straight into SQLite (a transaction per 10,000 rows) and the mirror, with
 * the encoding AuditLog.append uses (audit-encoding.ts, canonical-json.ts): the same bytes, minus the
 * per-entry cost. Only for filling a chain quickly; `verify` then checks every row and line of it.
 */
async function bulkFill(core, database, mirrorPath, to, onProgress) {
  const db = database.db;
  let { seq, hash } = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get();
  const ins = db.prepare(
    'INSERT INTO audit_entries (seq, ts, actor, kind, subject, data_json, prev_hash, hash) VALUES (@seq, @ts, @actor, @kind, @subject, @data_json, @prev_hash, @hash)',
  );
  const head = db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1');
  const fd = openSync(mirrorPath, 'a');
  try {
    while (seq < to) {
      const end = Math.min(to, seq + 10_000);
      const lines = [];
      db.transaction(() => {
        for (let s = seq + 1; s <= end; s++) {
          const e = entry(s);
          const unsigned = {
            seq: s,
            ts: Date.now(),
            actor: e.actor,
            kind: e.kind,
            subject: e.subject,
            data_json: core.canonicalJson(e.data),
            prev_hash: hash,
          };
          const row = { ...unsigned, hash: core.auditHash(unsigned) };
          ins.run(row);
          lines.push(core.auditMirrorLine(row));
          hash = row.hash;
        }
        head.run(end, hash);
      })();
      writeSync(fd, lines.join('\n') + '\n');
      seq = end;
      onProgress(seq);
      await breathe(); // a signal can still stop the run
    }
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
}

export async function auditVerify(ctx, opts) {
  const n = opts.verifyEntries;
  const dir = join(ctx.work, 'verify');
  mkdirSync(dir, { recursive: true });
  const mirrorPath = join(dir, 'audit.jsonl');
  console.log(
    `5. audit verify of ${f0(n)} entries: AuditLog.append with durability 'batched' for up to ${opts.appendSeconds} s, the rest (if any) written in bulk with the same encoding, then AuditLog.verify`,
  );
  let l = openLog(ctx.core, dir, 'batched');
  try {
    const every = Math.max(1, Math.round(n / 10));
    const app = await timedLoop((i) => l.log.append(entry(i)), {
      max: n,
      seconds: opts.appendSeconds,
      progressEvery: every,
      onProgress: (done, ms) =>
        process.stdout.write(`   … appended ${f0(done)} (${f0(rate(done, ms))}/s, ${f1(ms / 1000)} s)\n`),
    });
    l.log.dispose(); // flushes; the database stays open for the bulk fill and the reopened log
    let bulk = null;
    if (app.n < n) {
      process.stdout.write(
        `   appending all ${f0(n)} would take ~${f0(n / rate(app.n, app.ms))} s here: writing the other ${f0(n - app.n)} in bulk…\n`,
      );
      const t0 = performance.now();
      let shown = app.n;
      await bulkFill(ctx.core, l.database, mirrorPath, n, (seq) => {
        if (seq - shown >= every || seq === n) {
          process.stdout.write(`   … ${f0(seq)} entries in the chain\n`);
          shown = seq;
        }
      });
      bulk = { n: n - app.n, ms: performance.now() - t0 };
    }
    // reopened as the daemon would be: its open-time mirror check must find nothing to restore
    l.log = new ctx.core.AuditLog(l.database, { mirrorPath, durability: 'batched' });
    const restored = l.log.openReport.restoredLines;
    const dbBytes =
      statSync(join(dir, 'devmesh.db')).size +
      (statSync(join(dir, 'devmesh.db-wal'), { throwIfNoEntry: false })?.size ?? 0);
    process.stdout.write(
      `   verifying (SQLite ${f0(dbBytes / 1e6)} MB, mirror ${f0(statSync(mirrorPath).size / 1e6)} MB)…\n`,
    );
    const t0 = performance.now();
    const v = await l.log.verify();
    const ms = performance.now() - t0;
    const rows = [["AuditLog.append, durability 'batched'", f0(app.n), f1(app.ms / 1000), f0(rate(app.n, app.ms))]];
    if (bulk)
      rows.push([
        'bulk fill (same encoding, 10,000 rows per transaction)',
        f0(bulk.n),
        f1(bulk.ms / 1000),
        f0(rate(bulk.n, bulk.ms)),
      ]);
    rows.push(['verify (chain + head + mirror)', f0(v.entries), f1(ms / 1000), f0(rate(v.entries, ms))]);
    printTable(['step', 'entries', 'seconds', 'entries/s'], rows);
    const verdict = v.ok ? 'ok' : `BROKEN at entry ${v.firstBroken?.seq}: ${v.firstBroken?.why}`;
    console.log(
      `  verify: ${verdict}; ${f0(v.entries)} entries, head ${f0(v.headSeq)}, mirror ${v.mirror}${v.entries === n ? '' : ` (expected ${f0(n)})`}${restored ? `; reopening restored ${restored} mirror lines (unexpected)` : ''}`,
    );
    console.log(`  verify vs append ('batched'): ${times(rate(v.entries, ms) / rate(app.n, app.ms))} the rate\n`);
    return { verifyPerSec: rate(v.entries, ms), ok: v.ok };
  } finally {
    l.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
