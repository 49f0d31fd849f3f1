// A long-lived helper process inside one host namespace of a lab, answering requests over its stdin and
// stdout (one JSON line each): calls of the DevMesh API of $DEVMESH_HOME (one WebSocket, reopened after
// the daemon restarts) and HTTP(S) requests from inside the namespace. Polling `devmesh peers` started a
// Node process per probe: three hosts polling every 250 ms kept a 2-core machine busy on their own, and
// under load every probe took seconds. Through a session a probe costs one message.
import type { ChildProcess } from 'node:child_process';

/** The session's own source (CommonJS); needs MESHLAB_WS (the path of `ws`) and DEVMESH_HOME. */
export const SESSION_JS = `'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const http = require('node:http');
const https = require('node:https');
const WebSocket = require(process.env.MESHLAB_WS);
const home = process.env.DEVMESH_HOME;
const pending = new Map();
let ws = null;
let opening = null;
let nextCall = 1;
const reply = (o) => process.stdout.write(JSON.stringify(o) + '\\n');

function connect() {
  if (ws && ws.readyState === WebSocket.OPEN) return Promise.resolve(ws);
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    let record, token;
    try {
      record = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8'));
      token = readFileSync(join(home, 'token'), 'utf8').trim();
    } catch (e) {
      opening = null;
      return reject(new Error('no daemon record: ' + e.message));
    }
    const protocols = ['devmesh.v1', 'devmesh-token.' + token];
    const s = new WebSocket('ws://127.0.0.1:' + record.port + '/api', protocols, { handshakeTimeout: 5000 });
    s.on('open', () => { ws = s; opening = null; resolve(s); });
    s.on('error', (e) => { if (ws !== s) { opening = null; reject(e); } });
    s.on('close', () => {
      if (ws === s) ws = null;
      for (const [id, p] of pending) {
        if (p.socket !== s) continue;
        pending.delete(id);
        p.done({ ok: false, error: 'the API connection closed' });
      }
    });
    s.on('message', (data) => {
      const m = JSON.parse(data.toString());
      const p = m.type === 'result' ? pending.get(m.id) : undefined;
      if (!p) return;
      pending.delete(m.id);
      p.done(m.ok ? { ok: true, value: m.value } : { ok: false, error: JSON.stringify(m.error) });
    });
  });
  return opening;
}

async function api(req) {
  const socket = await connect();
  return new Promise((resolve) => {
    const id = nextCall++;
    const timer = setTimeout(() => {
      pending.delete(id);
      resolve({ ok: false, error: 'no answer within ' + req.timeout + ' ms' });
    }, req.timeout);
    pending.set(id, { socket, done: (r) => { clearTimeout(timer); resolve(r); } });
    socket.send(JSON.stringify({ type: 'call', id, method: req.method, input: req.input ?? {} }));
  });
}

function request(req) {
  return new Promise((resolve) => {
    const lib = req.url.startsWith('https:') ? https : http;
    const options = { method: req.method || 'GET', headers: req.headers || {}, timeout: req.timeout, rejectUnauthorized: false, agent: false };
    const r = lib.request(req.url, options, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('error', (e) => resolve({ ok: false, error: 'response: ' + (e.code || e.message) }));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ ok: true, value: { status: res.statusCode, headers: res.headers, body } });
      });
    });
    r.on('timeout', () => r.destroy(new Error('timed out after ' + req.timeout + ' ms')));
    r.on('error', (e) => resolve({ ok: false, error: e.code || e.message }));
    r.end(req.body || undefined);
  });
}

let buffer = '';
process.stdin.setEncoding('utf8').on('data', (chunk) => {
  buffer += chunk;
  const lines = buffer.split('\\n');
  buffer = lines.pop();
  for (const line of lines) {
    if (!line.trim()) continue;
    const req = JSON.parse(line);
    const run = req.op === 'api' ? api(req)
      : req.op === 'http' ? request(req)
      : Promise.resolve({ ok: false, error: 'unknown op ' + req.op });
    run.catch((e) => ({ ok: false, error: String(e && e.message) })).then((r) => reply({ id: req.id, ...r }));
  }
});
process.stdin.on('end', () => process.exit(0));
reply({ ready: true });
`;

export interface SessionHttpReply {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

interface Waiter {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** The test side of one session process: requests in, answers out, every wait bounded. */
export class NetnsSession {
  private readonly waiters = new Map<number, Waiter>();
  private nextId = 1;
  private buffer = '';
  private stderr = '';
  private readonly ready: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    private readonly label: string,
    readyTimeoutMs: number,
  ) {
    let markReady: () => void = () => undefined;
    let failReady: (err: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    const notReady = () =>
      failReady(new Error(`${label}: session not ready within ${readyTimeoutMs} ms: ${this.stderr}`));
    const readyTimer = setTimeout(notReady, readyTimeoutMs);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (this.stderr.length < 20_000) this.stderr += d;
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      const lines = this.buffer.split('\n');
      this.buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        const msg = JSON.parse(line) as { id?: number; ready?: boolean; ok?: boolean; value?: unknown; error?: string };
        if (msg.ready) {
          clearTimeout(readyTimer);
          markReady();
          continue;
        }
        const w = msg.id === undefined ? undefined : this.waiters.get(msg.id);
        if (!w) continue;
        this.waiters.delete(msg.id!);
        clearTimeout(w.timer);
        if (msg.ok) w.resolve(msg.value);
        else w.reject(new Error(`${label}: ${msg.error ?? 'failed'}`));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(readyTimer);
      const err = new Error(`${label}: the session process exited (${code ?? signal}) ${this.stderr.slice(-2000)}`);
      failReady(err);
      for (const w of this.waiters.values()) {
        clearTimeout(w.timer);
        w.reject(err);
      }
      this.waiters.clear();
    });
    child.stdin?.on('error', () => undefined); // the process may be killed with the namespace (kill9)
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** One API call of the host's daemon; its value, or an error naming the method. */
  api<T>(method: string, input: unknown, timeoutMs: number): Promise<T> {
    return this.send({ op: 'api', method, input, timeout: timeoutMs }, timeoutMs) as Promise<T>;
  }

  /** One HTTP(S) request from inside the namespace (Host header sent as given, certificates not checked). */
  http(
    url: string,
    opts: { method?: string; headers?: Record<string, string>; body?: string },
    timeoutMs: number,
  ): Promise<SessionHttpReply> {
    return this.send({ op: 'http', url, ...opts, timeout: timeoutMs }, timeoutMs) as Promise<SessionHttpReply>;
  }

  stop(): void {
    this.child.stdin?.end();
    this.child.kill('SIGKILL');
  }

  private async send(request: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    await this.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // the session's own limit first; this one only if the process itself stops answering
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`${this.label}: no answer from the session within ${timeoutMs + 2_000} ms`));
      }, timeoutMs + 2_000);
      this.waiters.set(id, { resolve, reject, timer });
      this.child.stdin?.write(`${JSON.stringify({ id, ...request })}\n`);
    });
  }
}
