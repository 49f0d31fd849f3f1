// Rewrites message heads as they cross the proxy: drops hop-by-hop fields (RFC 9110 §7.6.1), adds the
// forwarding fields (X-Forwarded-*, Via), the loop-detection hop field and X-DevMesh-Upstream; a route's
// rewrite replaces Host (a teammate's ingress) and adds the caller and mesh fields. Mesh credentials from a
// client never pass through, and an upstream's own X-DevMesh-Upstream gives way to this proxy's.
// Framing fields (Content-Length, Transfer-Encoding) are kept as sent because body bytes pass through
// untouched, so the framing they describe is still the framing on the wire.
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

export class HeadRewriter {
  /** Whether a hop field names this instance: the request came back around, a loop. */
  static isLoop(head: HeadFields, instanceId: string): boolean {
    for (let i = 0; i < head.names.length; i++) {
      if (head.names[i] === HOP_HEADER && head.values[i]!.split(',').some((v) => v.trim() === instanceId)) return true;
    }
    return false;
  }

  static request(head: RequestHead, f: ForwardInfo): string {
    let out = `${head.method} ${f.path} HTTP/1.1\r\n`;
    let xff = '';
    let via = '';
    let hops = '';
    let host = head.host ?? '';
    const rewrite = f.rewrite;
    const ownFrom = rewrite !== null && rewrite.headers.some(([name]) => name.toLowerCase() === FROM_HEADER);
    for (let i = 0; i < head.names.length; i++) {
      const n = head.names[i]!;
      const v = head.values[i]!;
      if (HeadRewriter.isHopByHop(n, head)) continue;
      if (n.charCodeAt(0) === 0x78 /* x */) {
        if (n === MESH_HEADER || (ownFrom && n === FROM_HEADER)) continue;
        if (n === 'x-forwarded-for') {
          xff = xff ? `${xff}, ${v}` : v;
          continue;
        }
        if (n === 'x-forwarded-proto' || n === 'x-forwarded-host') continue;
        if (n === HOP_HEADER) {
          hops = hops ? `${hops}, ${v}` : v;
          continue;
        }
      } else if (n === 'via') {
        via = via ? `${via}, ${v}` : v;
        continue;
      } else if (n === 'host') {
        host = v;
        if (rewrite !== null && rewrite.host !== null) {
          out += `Host: ${rewrite.host}\r\n`;
          continue;
        }
      }
      out += `${head.rawNames[i]}: ${v}\r\n`;
    }
    if (rewrite !== null) {
      if (rewrite.host !== null && head.host === undefined) out += `Host: ${rewrite.host}\r\n`;
      for (const [name, value] of rewrite.headers) out += `${name}: ${value}\r\n`;
    }
    out += `X-Forwarded-For: ${xff ? `${xff}, ` : ''}${f.clientIp}\r\nX-Forwarded-Proto: ${f.tls ? 'https' : 'http'}\r\n`;
    if (host) out += `X-Forwarded-Host: ${host}\r\n`;
    out += `Via: ${via ? `${via}, ` : ''}1.1 devmesh\r\n${HOP_HEADER}: ${hops ? `${hops}, ` : ''}${f.instanceId}\r\n`;
    out += f.upgrade !== null ? `Connection: Upgrade\r\nUpgrade: ${f.upgrade}\r\n\r\n` : 'Connection: keep-alive\r\n\r\n';
    return out;
  }

  /** The response head for the client; `label` names the service (`shop/api`); `close` announces that DevMesh closes the client connection after it. */
  static response(head: ResponseHead, label: string, close: boolean, upgrade: string | null): string {
    let out = `HTTP/1.1 ${head.status} ${head.reason}\r\n`;
    let via = '';
    for (let i = 0; i < head.names.length; i++) {
      const n = head.names[i]!;
      if (HeadRewriter.isHopByHop(n, head)) continue;
      if (n === 'via') {
        via = via ? `${via}, ${head.values[i]!}` : head.values[i]!;
        continue;
      }
      if (n === UPSTREAM_HEADER) continue;
      out += `${head.rawNames[i]}: ${head.values[i]}\r\n`;
    }
    out += `Via: ${via ? `${via}, ` : ''}1.1 devmesh\r\nX-DevMesh-Upstream: ${label}\r\n`;
    if (upgrade !== null) out += `Connection: Upgrade\r\nUpgrade: ${upgrade}\r\n`;
    else if (close) out += 'Connection: close\r\n';
    return `${out}\r\n`;
  }

  /** A head and a small first body piece in one buffer: one write, one packet. */
  static joined(head: string, body: Buffer): Buffer {
    const out = Buffer.allocUnsafe(head.length + body.length);
    out.write(head, 0, 'latin1');
    body.copy(out, head.length);
    return out;
  }

  private static isHopByHop(n: string, head: HeadFields): boolean {
    return HOP_BY_HOP.has(n) || n.startsWith('proxy-') || (head.connection.size > 0 && head.connection.has(n) && n !== 'content-length' && n !== 'transfer-encoding');
  }
}
