// Rewrites message heads as they cross the proxy: drops hop-by-hop fields (RFC 9110 §7.6.1), adds the
// forwarding fields (X-Forwarded-*, Via), the loop-detection hop field and X-DevMesh-Upstream; a route's
// rewrite replaces Host (a teammate's ingress) and adds the caller and mesh fields. Mesh credentials from a
// client never pass through, and an upstream's own X-DevMesh-Upstream gives way to this proxy's.
// Framing fields (Content-Length, Transfer-Encoding) are kept as sent because body bytes pass through
// untouched, so the framing they describe is still the framing on the wire.
// Heads are written straight into the Buffer that goes on the wire (measured once, then written): no
// intermediate strings per request, which the young generation would otherwise have to collect.
import type { RequestHead, ResponseHead, HeadFields } from './http-head-parser.js';
import type { HeadRewrite } from './route-decision.js';

/** Carries the instance ids of every DevMesh a request went through; our own id coming back is a loop. */
export const HOP_HEADER = 'x-devmesh-hops';
/** a peer proxy's credentials at this agent's ingress: `<agentId> <token>` */
export const MESH_HEADER = 'x-devmesh-mesh';
/** the calling service, `web.shop` */
export const FROM_HEADER = 'x-devmesh-from';
export const UPSTREAM_HEADER = 'x-devmesh-upstream';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-connection']);

export interface ForwardInfo {
  path: string;
  clientIp: string;
  tls: boolean;
  instanceId: string;
  /** the head asks for an upgrade (WebSocket) that is forwarded as such */
  upgrade: string | null;
  rewrite: HeadRewrite | null;
}

/** Counts the bytes of a head (no buffer yet), then writes them into one; every piece is latin1. */
class HeadBytes {
  n = 0;
  private buf: Buffer | null = null;

  put(s: string): void {
    if (this.buf !== null) this.buf.write(s, this.n, 'latin1');
    this.n += s.length;
  }

  /** Ends the counting pass: the buffer (with `extra` bytes of room after the head), written from 0 on. */
  allocate(extra: number): Buffer {
    this.buf = Buffer.allocUnsafe(this.n + extra);
    this.n = 0;
    return this.buf;
  }
}

/** Whether a hop field names this instance: the request came back around, a loop. */
export function isLoop(head: HeadFields, instanceId: string): boolean {
  for (let i = 0; i < head.names.length; i++) {
    if (head.names[i] === HOP_HEADER && head.values[i]!.split(',').some((v) => v.trim() === instanceId)) return true;
  }
  return false;
}

/** The request head for the target, as bytes. */
export function request(head: RequestHead, f: ForwardInfo): Buffer {
  const out = new HeadBytes();
  writeRequest(out, head, f);
  const buf = out.allocate(0);
  writeRequest(out, head, f);
  return buf;
}

/**
 * The response head for the client, as bytes, followed by `body` when given (one write, one packet);
 * `label` names the service (`shop/api`); `close` announces that DevMesh closes the client connection.
 */
export function response(
  head: ResponseHead,
  label: string,
  close: boolean,
  upgrade: string | null,
  body: Buffer | null = null,
): Buffer {
  const out = new HeadBytes();
  writeResponse(out, head, label, close, upgrade);
  const buf = out.allocate(body === null ? 0 : body.length);
  writeResponse(out, head, label, close, upgrade);
  if (body !== null) body.copy(buf, out.n);
  return buf;
}

function writeRequest(out: HeadBytes, head: RequestHead, f: ForwardInfo): void {
  out.put(head.method);
  out.put(' ');
  out.put(f.path);
  out.put(' HTTP/1.1\r\n');
  let xff = -1;
  let via = -1;
  let hops = -1;
  let host = head.host ?? '';
  const rewrite = f.rewrite;
  const ownFrom = rewrite !== null && rewrite.headers.some(([name]) => name.toLowerCase() === FROM_HEADER);
  const { names, values } = head;
  for (let i = 0; i < names.length; i++) {
    const n = names[i]!;
    if (isHopByHop(n, head)) continue;
    if (n.charCodeAt(0) === 0x78 /* x */) {
      if (n === MESH_HEADER || (ownFrom && n === FROM_HEADER)) continue;
      if (n === 'x-forwarded-proto' || n === 'x-forwarded-host') continue;
      // Repeated fields are joined below, in order; remember where the first one is.
      if (n === 'x-forwarded-for') {
        if (xff < 0) xff = i;
        continue;
      }
      if (n === HOP_HEADER) {
        if (hops < 0) hops = i;
        continue;
      }
    } else if (n === 'via') {
      if (via < 0) via = i;
      continue;
    } else if (n === 'host') {
      host = values[i]!;
      if (rewrite !== null && rewrite.host !== null) {
        out.put('Host: ');
        out.put(rewrite.host);
        out.put('\r\n');
        continue;
      }
    }
    out.put(head.rawNames[i]!);
    out.put(': ');
    out.put(values[i]!);
    out.put('\r\n');
  }
  if (rewrite !== null) {
    if (rewrite.host !== null && head.host === undefined) {
      out.put('Host: ');
      out.put(rewrite.host);
      out.put('\r\n');
    }
    for (const [name, value] of rewrite.headers) {
      out.put(name);
      out.put(': ');
      out.put(value);
      out.put('\r\n');
    }
  }
  out.put('X-Forwarded-For: ');
  joinFrom(out, head, xff, 'x-forwarded-for');
  out.put(f.clientIp);
  out.put(f.tls ? '\r\nX-Forwarded-Proto: https\r\n' : '\r\nX-Forwarded-Proto: http\r\n');
  if (host) {
    out.put('X-Forwarded-Host: ');
    out.put(host);
    out.put('\r\n');
  }
  out.put('Via: ');
  joinFrom(out, head, via, 'via');
  out.put('1.1 devmesh\r\n');
  out.put(HOP_HEADER);
  out.put(': ');
  joinFrom(out, head, hops, HOP_HEADER);
  out.put(f.instanceId);
  if (f.upgrade !== null) {
    out.put('\r\nConnection: Upgrade\r\nUpgrade: ');
    out.put(f.upgrade);
    out.put('\r\n\r\n');
  } else out.put('\r\nConnection: keep-alive\r\n\r\n');
}

function writeResponse(
  out: HeadBytes,
  head: ResponseHead,
  label: string,
  close: boolean,
  upgrade: string | null,
): void {
  out.put('HTTP/1.1 ');
  out.put(STATUS[head.status] ?? String(head.status));
  out.put(' ');
  out.put(head.reason);
  out.put('\r\n');
  let via = -1;
  const { names, values } = head;
  for (let i = 0; i < names.length; i++) {
    const n = names[i]!;
    if (isHopByHop(n, head) || n === UPSTREAM_HEADER) continue;
    if (n === 'via') {
      if (via < 0) via = i;
      continue;
    }
    out.put(head.rawNames[i]!);
    out.put(': ');
    out.put(values[i]!);
    out.put('\r\n');
  }
  out.put('Via: ');
  joinFrom(out, head, via, 'via');
  out.put('1.1 devmesh\r\nX-DevMesh-Upstream: ');
  out.put(label);
  if (upgrade !== null) {
    out.put('\r\nConnection: Upgrade\r\nUpgrade: ');
    out.put(upgrade);
    out.put('\r\n\r\n');
  } else out.put(close ? '\r\nConnection: close\r\n\r\n' : '\r\n\r\n');
}

/** The values of every `name` field from index `first` on, each followed by `, ` (nothing when first < 0). */
function joinFrom(out: HeadBytes, head: HeadFields, first: number, name: string): void {
  if (first < 0) return;
  for (let i = first; i < head.names.length; i++) {
    if (head.names[i] !== name) continue;
    out.put(head.values[i]!);
    out.put(', ');
  }
}

function isHopByHop(n: string, head: HeadFields): boolean {
  return (
    HOP_BY_HOP.has(n) ||
    n.startsWith('proxy-') ||
    (head.connection.size > 0 && head.connection.has(n) && n !== 'content-length' && n !== 'transfer-encoding')
  );
}

/** status codes as strings, so writing a common one allocates nothing */
const STATUS: Record<number, string> = {};
for (let s = 100; s < 600; s++) STATUS[s] = String(s);
