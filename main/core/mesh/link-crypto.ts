// The peer link's cryptography, over the mesh secret (which never goes on the wire):
// - mutual HMAC challenge–response: each side sends a fresh nonce, each proves it holds the secret by an
//   HMAC over both nonces, both agent ids, the mesh id, its role and the TLS session's channel binding,
//   so a proof cannot be replayed, reflected, or relayed by someone in the middle of the TLS connection;
// - a session key derived from both nonces, which signs every frame after the handshake with a sequence
//   number per direction: a frame altered, replayed, dropped or reordered is detected and ends the link;
// - heartbeat payloads (WebSocket ping) signed the same way;
// - an ingress token per direction: a peer's proxy presents it with each request it routes to this agent's
//   ingress, so only a peer holding a live link is served.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type LinkRole = 'dialer' | 'acceptor';

const PROTOCOL = 'devmesh-link-v2';
const MAC_BYTES = 16;

export interface HandshakeFacts {
  meshId: string;
  dialerId: string;
  acceptorId: string;
  dialerNonce: string;
  acceptorNonce: string;
  /** keying material exported from the link's TLS session (MeshTlsIdentity.binding) */
  binding: string;
}

export class LinkCrypto {
  private sendSeq = 0;
  private recvSeq = 0;
  private readonly key: Buffer;
  private ownIngress: string | null = null;

  private constructor(
    key: Buffer,
    private readonly role: LinkRole,
  ) {
    this.key = key;
  }

  static nonce(): string {
    return randomBytes(16).toString('base64url');
  }

  /** What `role` sends to prove it holds the mesh secret. */
  static proof(secret: string, role: LinkRole, f: HandshakeFacts): string {
    return createHmac('sha256', Buffer.from(secret, 'base64url'))
      .update([PROTOCOL, role, f.meshId, f.dialerId, f.acceptorId, f.dialerNonce, f.acceptorNonce, f.binding].join('|'))
      .digest('base64url');
  }

  static verifyProof(secret: string, role: LinkRole, f: HandshakeFacts, proof: unknown): boolean {
    if (typeof proof !== 'string') return false;
    return LinkCrypto.equal(LinkCrypto.proof(secret, role, f), proof);
  }

  /** The signing state of one side of an authenticated link. */
  static session(secret: string, role: LinkRole, f: HandshakeFacts): LinkCrypto {
    const key = createHmac('sha256', Buffer.from(secret, 'base64url'))
      .update(
        [PROTOCOL, 'session', f.meshId, f.dialerId, f.acceptorId, f.dialerNonce, f.acceptorNonce, f.binding].join('|'),
      )
      .digest();
    return new LinkCrypto(key, role);
  }

  /** `<mac>.<seq>.<json>`: the MAC covers the direction, the sequence number and the text. */
  seal(json: string): string {
    const seq = ++this.sendSeq;
    return `${this.mac(this.role, seq, json)}.${seq}.${json}`;
  }

  /** The JSON text of a sealed frame from the other side, or an error saying what is wrong with it. */
  open(frame: string): { json: string } | { error: string } {
    const a = frame.indexOf('.');
    const b = a < 0 ? -1 : frame.indexOf('.', a + 1);
    if (a < 0 || b < 0) return { error: 'an unsigned frame' };
    const seq = Number(frame.slice(a + 1, b));
    const json = frame.slice(b + 1);
    const peerRole: LinkRole = this.role === 'dialer' ? 'acceptor' : 'dialer';
    if (!LinkCrypto.equal(this.mac(peerRole, seq, json), frame.slice(0, a)))
      return { error: 'a frame whose signature does not match (altered on the way?)' };
    if (seq !== this.recvSeq + 1)
      return { error: `frame ${seq} out of order (expected ${this.recvSeq + 1}): replayed or dropped` };
    this.recvSeq = seq;
    return { json };
  }

  /** A heartbeat payload: 4-byte counter, 2-byte last round trip (0.1 ms units), 8-byte MAC. */
  ping(counter: number, rttMs: number | null): Buffer {
    const body = Buffer.alloc(6);
    body.writeUInt32BE(counter >>> 0, 0);
    body.writeUInt16BE(rttMs === null ? 0xffff : Math.min(0xfffe, Math.round(rttMs * 10)), 4);
    return Buffer.concat([body, this.pingMac(this.role, body)]);
  }

  /** Reads a heartbeat from the other side: its counter and reported round trip, or null if forged. */
  readPing(payload: Buffer): { counter: number; rttMs: number | null } | null {
    if (payload.length !== 14) return null;
    const body = payload.subarray(0, 6);
    const peerRole: LinkRole = this.role === 'dialer' ? 'acceptor' : 'dialer';
    if (!LinkCrypto.equalBuffers(this.pingMac(peerRole, body), payload.subarray(6))) return null;
    const rtt = body.readUInt16BE(4);
    return { counter: body.readUInt32BE(0), rttMs: rtt === 0xffff ? null : rtt / 10 };
  }

  /** What this side presents to the other side's peer ingress (X-DevMesh-Mesh). */
  ingressToken(): string {
    return (this.ownIngress ??= this.ingressMac(this.role));
  }

  /** Whether a token presented to this agent's ingress was made by the other side of this link. */
  verifyIngress(token: string): boolean {
    return LinkCrypto.equal(this.ingressMac(this.role === 'dialer' ? 'acceptor' : 'dialer'), token);
  }

  private ingressMac(role: LinkRole): string {
    return createHmac('sha256', this.key)
      .update(`${role}|ingress`)
      .digest()
      .subarray(0, MAC_BYTES)
      .toString('base64url');
  }

  private mac(role: LinkRole, seq: number, json: string): string {
    return createHmac('sha256', this.key)
      .update(`${role}|${seq}|`)
      .update(json)
      .digest()
      .subarray(0, MAC_BYTES)
      .toString('base64url');
  }

  private pingMac(role: LinkRole, body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(`${role}|ping|`).update(body).digest().subarray(0, 8);
  }

  static equal(a: string, b: string): boolean {
    return LinkCrypto.equalBuffers(Buffer.from(a), Buffer.from(b));
  }

  private static equalBuffers(a: Buffer, b: Buffer): boolean {
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
