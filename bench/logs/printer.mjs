// The service of bench/logs.mjs: prints log lines the way an app does (one write per line, a third of them
// pino JSON), read from a control file: `burst` prints `lines` as fast as it can; `paced` prints `rate`
// lines a second for `seconds` in 10 ms ticks. Node queues what a full pipe does not take in the process
// (stdout to a pipe or socket is asynchronous), so the figures are taken when the last line has left the
// process (its write callback), and backpressure is the most bytes ever queued. Its figures go to the
// control's `result` file; the last line is a marker, then it exits.
import { readFileSync, writeFileSync } from 'node:fs';

const control = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const WORDS = [
  'orders',
  'users',
  'payment',
  'invoice',
  'cache',
  'session',
  'token',
  'worker',
  'queue',
  'retry',
  'timeout',
  'database',
  'query',
  'request',
  'completed',
  'started',
  'shipping',
  'catalog',
  'search',
  'profile',
];
const LEVELS = [30, 30, 30, 30, 30, 20, 40, 30, 50, 30];

/** line i of every run (and of the file baseline): deterministic, ~110 bytes */
export function lineOf(i) {
  const w = (k) => WORDS[(i * 7 + k * 13) % WORDS.length];
  if (i % 3 === 0) {
    return JSON.stringify({
      level: LEVELS[i % 10],
      time: 1700000000000 + i,
      pid: 4242,
      msg: `${w(1)} ${w(2)} ${w(3)} done`,
      user: { id: i % 5000 },
      req: `r${i}`,
    });
  }
  return `2026-11-30T10:00:00.000Z ${i % 50 === 0 ? 'WARN' : 'INFO'} GET /api/${w(1)}/${i} ${w(2)} ${w(3)} in ${i % 700}ms id=${i}`;
}

const out = process.stdout;
const started = Date.now();
const t0 = performance.now();
let result;
let queuedMax = 0;
let printed = 0;
if (control.mode === 'burst') {
  for (; printed < control.lines; printed++) {
    out.write(`${lineOf(printed)}\n`);
    if ((printed & 1023) === 0) queuedMax = Math.max(queuedMax, out.writableLength ?? 0);
  }
} else {
  const tickMs = 10;
  const ticks = Math.round((control.seconds * 1000) / tickMs);
  for (let t = 0; t < ticks; t++) {
    const due = Math.round(((t + 1) * control.rate * tickMs) / 1000);
    for (; printed < due; printed++) out.write(`${lineOf(printed)}\n`);
    queuedMax = Math.max(queuedMax, out.writableLength ?? 0);
    const wait = t0 + (t + 1) * tickMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}
const loopMs = performance.now() - t0;
out.write(`bench marker ${control.marker}\n`, () => {
  const ms = performance.now() - t0;
  result = { lines: printed, loopMs, ms, perSecond: (printed / ms) * 1000, queuedMax };
  writeFileSync(control.result, JSON.stringify({ ...result, started }));
});
