// A lock taker inside one lab host's namespace, fast enough for races of thousands of rounds: one small Node
// process holding one devmesh.v1 API connection (loopback WebSocket, the token of $DEVMESH_HOME) to its host's
// daemon, reading line commands from stdin and answering one JSON line each on stdout. A CLI spawn per request
// costs ~100 ms of Node start-up; here a request costs one API call, and its delay is timed in the namespace.
//
//   acquire <tag> <delayMs> <holder> <mode> <path> <waitMs>   locks.acquire (a file target) after delayMs
//   release <tag>                                              locks.release of what <tag> acquired
//   call <tag> <delayMs> <method> <json input>                 any API call (e.g. daemon.info, a baseline)
// Answers: {"tag", "ok": true, "value", "ms"} or {"tag", "ok": false, "error": {code, message, ...}, "ms"},
// where ms is the call's round trip measured in the namespace (from send to answer, without the delay).
import type { ChildProcess } from 'node:child_process';

export const LOCK_DRIVER_JS = `'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const WebSocket = require(process.env.MESHLAB_WS);
const home = process.env.DEVMESH_HOME;
const project = process.env.LOCK_DRIVER_PROJECT;
const record = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8'));
const token = readFileSync(join(home, 'token'), 'utf8').trim();
const ws = new WebSocket('ws://127.0.0.1:' + record.port + '/api', ['devmesh.v1', 'devmesh-token.' + token], {
  handshakeTimeout: 5000,
  perMessageDeflate: false,
});
const pending = new Map();
const held = new Map();
let next = 1;
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
ws.on('error', (e) => { process.stderr.write('lock driver: ' + e.message + '\\n'); process.exit(2); });
ws.on('close', () => process.exit(3));
ws.on('open', () => out({ ready: true }));
ws.on('message', (data) => {
  const m = JSON.parse(data.toString());
  const p = m.type === 'result' ? pending.get(m.id) : undefined;
  if (!p) return;
  pending.delete(m.id);
  p(m);
});
function call(tag, method, input, onValue) {
  const id = next++;
  const t0 = performance.now();
  pending.set(id, (m) => {
    const ms = performance.now() - t0;
    if (m.ok && onValue) onValue(m.value);
    out(m.ok ? { tag, ok: true, value: m.value, ms } : { tag, ok: false, error: m.error, ms });
  });
  ws.send(JSON.stringify({ type: 'call', id, method, input }));
}
function run(line) {
  const [op, tag, ...rest] = line.split(' ');
  if (op === 'acquire') {
    const [delay, holder, mode, path, waitMs] = rest;
    const input = { project, holder, mode, target: { kind: 'file', path }, waitMs: Number(waitMs) };
    const go = () => call(tag, 'locks.acquire', input, (lock) => held.set(tag, { holder, id: lock.id }));
    return Number(delay) > 0 ? setTimeout(go, Number(delay)) : go();
  }
  if (op === 'release') {
    const h = held.get(tag);
    if (!h) return out({ tag, ok: false, error: { code: 'NOT_HELD', message: 'nothing acquired as ' + tag } });
    held.delete(tag);
    return call(tag, 'locks.release', { project, holder: h.holder, lockId: h.id });
  }
  if (op === 'call') {
    const [delay, method, ...json] = rest;
    const go = () => call(tag, method, JSON.parse(json.join(' ') || '{}'));
    return Number(delay) > 0 ? setTimeout(go, Number(delay)) : go();
  }
  out({ tag, ok: false, error: { code: 'BAD_COMMAND', message: 'unknown command ' + op } });
}
let buffer = '';
process.stdin.setEncoding('utf8').on('data', (chunk) => {
  buffer += chunk;
  const lines = buffer.split('\\n');
  buffer = lines.pop();
  for (const line of lines) if (line.trim()) run(line.trim());
});
process.stdin.on('end', () => process.exit(0));
`;

export interface DriverAnswer<T = unknown> {
  tag: string;
  ok: boolean;
  value?: T;
  error?: { code: string; message: string } & Record<string, unknown>;
  /** the API call's round trip in the namespace, ms */
  ms: number;
}

/** The test's side of one driver process: commands in, answers by tag, every wait bounded. */
export class LockDriver {
  private readonly waiters = new Map<string, { resolve(a: DriverAnswer): void; timer: NodeJS.Timeout }>();
  private buffer = '';
  private stderr = '';
  private readonly ready: Promise<void>;
  private nextTag = 1;

  constructor(
    private readonly child: ChildProcess,
    readonly label: string,
    private readonly timeoutMs: number,
  ) {
    let markReady: () => void = () => undefined;
    let failReady: (err: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    const readyTimer = setTimeout(() => failReady(new Error(`${label}: not ready within ${timeoutMs} ms`)), timeoutMs);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (this.stderr.length < 20_000) this.stderr += d;
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      const lines = this.buffer.split('\n');
      this.buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        const msg = JSON.parse(line) as DriverAnswer & { ready?: boolean };
        if (msg.ready) {
          clearTimeout(readyTimer);
          markReady();
          continue;
        }
        const w = this.waiters.get(msg.tag);
        if (!w) continue;
        this.waiters.delete(msg.tag);
        clearTimeout(w.timer);
        w.resolve(msg);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(readyTimer);
      const why = `${label}: the driver exited (${code ?? signal}) ${this.stderr.slice(-2000)}`;
      failReady(new Error(why));
      for (const [tag, w] of this.waiters) {
        clearTimeout(w.timer);
        w.resolve({ tag, ok: false, error: { code: 'DRIVER_EXITED', message: why }, ms: NaN });
      }
      this.waiters.clear();
    });
    child.stdin?.on('error', () => undefined); // killed with its namespace
  }

  /** locks.acquire of a file after `delayMs` (timed in the namespace); the lock, or the refusal. */
  acquire(tag: string, o: { delayMs?: number; holder: string; mode: string; path: string; waitMs?: number }) {
    if (/\s/.test(o.path) || /\s/.test(o.holder)) throw new Error('LockDriver: no spaces in a path or holder');
    return this.send(tag, `acquire ${tag} ${o.delayMs ?? 0} ${o.holder} ${o.mode} ${o.path} ${o.waitMs ?? 0}`);
  }

  release(tag: string): Promise<DriverAnswer> {
    return this.send(tag, `release ${tag}`);
  }

  call<T = unknown>(method: string, input: unknown = {}, delayMs = 0): Promise<DriverAnswer<T>> {
    const tag = `c${this.nextTag++}`;
    return this.send(tag, `call ${tag} ${delayMs} ${method} ${JSON.stringify(input)}`) as Promise<DriverAnswer<T>>;
  }

  stop(): void {
    this.child.stdin?.end();
    this.child.kill('SIGKILL');
  }

  private async send(tag: string, line: string): Promise<DriverAnswer> {
    await this.ready;
    if (this.waiters.has(tag)) throw new Error(`${this.label}: tag ${tag} is already waiting`);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(tag);
        resolve({
          tag,
          ok: false,
          error: { code: 'NO_ANSWER', message: `no answer in ${this.timeoutMs} ms` },
          ms: NaN,
        });
      }, this.timeoutMs);
      this.waiters.set(tag, { resolve, timer });
      this.child.stdin?.write(`${line}\n`);
    });
  }
}
