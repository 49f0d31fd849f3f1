// Real processes for the metrics tests: a tree (a parent that forks a child that forks a grandchild), whose
// members can allocate memory, spin a core, or hold a TCP connection to themselves. Each prints its role and
// pid when ready; `stop()` kills the whole group.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { until } from '../../helpers/until.js';
import { scaled } from '../../helpers/load-scale.js';

/** One level of the tree: what it does, and its children's specs. */
export interface Level {
  /** MB of memory to hold (written, so it is resident) */
  allocMb?: number;
  /** grow by this many MB every `growEveryMs` (a leak) */
  growMb?: number;
  growEveryMs?: number;
  spin?: boolean;
  /** open a TCP server and connect to it: two established sockets, one listening */
  tcp?: boolean;
  child?: Level;
}

const SCRIPT = `
const { spawn } = require('child_process');
const net = require('net');
const spec = JSON.parse(process.argv[2]);
const role = process.argv[3];
const held = [];
function hold(mb) { const b = Buffer.alloc(mb * 1024 * 1024, 1); held.push(b); }
if (spec.allocMb) hold(spec.allocMb);
if (spec.growMb) setInterval(() => hold(spec.growMb), spec.growEveryMs || 200);
let ready = Promise.resolve();
if (spec.tcp) {
  ready = new Promise((resolve) => {
    const server = net.createServer((s) => held.push(s)).listen(0, '127.0.0.1', () => {
      const c = net.connect(server.address().port, '127.0.0.1', () => { held.push(c); resolve(); });
    });
  });
}
ready.then(() => {
  console.log(role + ' ' + process.pid);
  if (spec.child) {
    const c = spawn(process.execPath, [__filename, JSON.stringify(spec.child), role + '-child'], { stdio: ['ignore', 'inherit', 'inherit'] });
    process.on('SIGTERM', () => { c.kill('SIGKILL'); process.exit(0); });
  }
  if (spec.spin) { for (;;) { Math.sqrt(Math.random()); } }
  setInterval(() => {}, 1 << 30);
});
`;

export class ProcessTree {
  readonly pids = new Map<string, number>();
  private out = '';

  private constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      this.out += c;
      for (const m of this.out.matchAll(/^(\S+) (\d+)$/gm)) this.pids.set(m[1]!, Number(m[2]));
    });
  }

  static async start(dir: string, spec: Level, levels: number): Promise<ProcessTree> {
    const file = join(dir, 'tree.js');
    writeFileSync(file, SCRIPT);
    const child = spawn(process.execPath, [file, JSON.stringify(spec), 'root'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    const tree = new ProcessTree(child);
    await until(`${levels} levels of the tree to start`, () => tree.pids.size >= levels, scaled(15_000));
    return tree;
  }

  get root(): number {
    return this.child.pid!;
  }

  pid(role: string): number {
    const pid = this.pids.get(role);
    if (pid === undefined) throw new Error(`no ${role} in ${[...this.pids.keys()].join(', ')}`);
    return pid;
  }

  stop(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
