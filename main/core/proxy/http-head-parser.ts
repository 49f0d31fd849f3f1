// A light HTTP/1.x head parser for the proxy's fast path: finds the end of a request or response head,
// splits the start line and header fields, and derives the framing facts (body length, chunked,
// upgrade, keep-alive). It never touches body bytes; those are framed by BodyFramer.
// Strict (RFC 9112): lines end in CRLF, names are tokens, values hold HTAB/SP/VCHAR/obs-text only.
// On the hot path of every request: it scans with lookup tables instead of regular expressions and
// allocates little beyond the strings it hands out (fewer young-generation collections, a shorter tail).
import { BodyFramer } from './body-framer.js';

export interface HeadFields {
  /** header names as sent, for re-emission */
  rawNames: string[];
  /** lower-cased names, same order */
  names: string[];
  values: string[];
  /** tokens of every Connection header, lower-cased (a shared empty set when there is none: never mutate) */
  connection: ReadonlySet<string>;
}

export interface RequestHead extends HeadFields {
  method: string;
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1 */
  minor: number;
  host: string | undefined;
  /** the Upgrade header when Connection names it (a WebSocket handshake), else null */
  upgrade: string | null;
  /** the client wants the connection closed after this exchange */
  close: boolean;
  expect: boolean;
  framer: BodyFramer;
  headEnd: number;
}

export interface ResponseHead extends HeadFields {
  status: number;
  reason: string;
  minor: number;
  headEnd: number;
}

export type ParseResult<T> = T | { error: string; status: 400 | 431 } | null;

const CRLF2 = Buffer.from('\r\n\r\n');
const NO_TOKENS: ReadonlySet<string> = new Set<string>();

/** 1 for the characters of a token (RFC 9110 §5.6.2) */
const TCHAR = new Uint8Array(256);
const ALNUM = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
for (const c of `!#$%&'*+-.^_\`|~${ALNUM}`) TCHAR[c.charCodeAt(0)] = 1;
/** 1 for what a field value may hold: HTAB, SP, VCHAR, obs-text (RFC 9110 §5.5); a bare CR or LF is not */
const VCHAR = new Uint8Array(256);
VCHAR[0x09] = 1;
for (let c = 0x20; c < 0x100; c++) if (c !== 0x7f) VCHAR[c] = 1;

/** Methods handed out as constants rather than as fresh strings cut from every head. */
const METHODS = ['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'];
/** raw header name → its lower case; names repeat from request to request, a lookup beats a new string */
const LOWER = new Map<string, string>();
const MAX_LOWER = 512;

interface Failure {
  error: string;
}

/** Where the head in `buf` ends (index after the blank line), or -1 when it has not all arrived. */
export function headEnd(buf: Buffer): number {
  const i = buf.indexOf(CRLF2);
  return i < 0 ? -1 : i + 4;
}

export function parseRequest(buf: Buffer, maxHeaderBytes: number): ParseResult<RequestHead> {
  const end = headEnd(buf);
  if (end < 0) return buf.length > maxHeaderBytes ? { error: 'request head too large', status: 431 } : null;
  if (end > maxHeaderBytes) return { error: 'request head too large', status: 431 };
  // Tolerate stray CRLFs between requests (RFC 9112 §2.2).
  let start = 0;
  while (start + 1 < end && buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2;
  // The head without its blank line, each line ended by CRLF.
  const s = buf.toString('latin1', start, end - 2);
  const lineEnd = s.indexOf('\r\n');
  // method SP request-target SP HTTP/1.x: a token, visible ASCII, a version
  let i = 0;
  while (i < lineEnd && TCHAR[s.charCodeAt(i)] === 1) i++;
  const sp1 = i;
  if (sp1 === 0 || s.charCodeAt(sp1) !== 0x20) return { error: 'malformed request line', status: 400 };
  i++;
  while (i < lineEnd && s.charCodeAt(i) > 0x20 && s.charCodeAt(i) < 0x7f) i++;
  const sp2 = i;
  if (sp2 === sp1 + 1 || s.charCodeAt(sp2) !== 0x20 || lineEnd - sp2 !== 9 || !s.startsWith('HTTP/1.', sp2 + 1)) {
    return { error: 'malformed request line', status: 400 };
  }
  const minor = s.charCodeAt(lineEnd - 1) - 0x30;
  if (minor !== 0 && minor !== 1) return { error: 'malformed request line', status: 400 };
  const fields = parseFields(s, lineEnd + 2);
  if ('error' in fields) return { error: fields.error, status: 400 };
  let host: string | undefined;
  let upgrade: string | null = null;
  let length: number | null = null;
  let chunked = false;
  let expect = false;
  const { names, values } = fields;
  for (let f = 0; f < names.length; f++) {
    const n = names[f]!;
    const v = values[f]!;
    if (n === 'host') {
      if (host !== undefined) return { error: 'more than one Host header', status: 400 };
      host = v;
    } else if (n === 'content-length') {
      const len = contentLength(v);
      if (len < 0 || (length !== null && length !== len)) return { error: 'invalid Content-Length', status: 400 };
      length = len;
    } else if (n === 'transfer-encoding') {
      const codings = v.toLowerCase().split(',');
      const last = codings[codings.length - 1]!.trim();
      if (last !== 'chunked') return { error: 'unsupported Transfer-Encoding', status: 400 };
      chunked = true;
    } else if (n === 'upgrade') upgrade = v;
    else if (n === 'expect') expect = true;
  }
  // Both framings at once is the classic request-smuggling shape: refuse rather than guess.
  if (chunked && length !== null) return { error: 'both Content-Length and Transfer-Encoding', status: 400 };
  const connection = fields.connection;
  return {
    rawNames: fields.rawNames,
    names,
    values,
    connection,
    method: method(s, sp1),
    target: s.slice(sp1 + 1, sp2),
    minor,
    host,
    upgrade: upgrade !== null && connection.has('upgrade') ? upgrade : null,
    close: minor === 0 ? !connection.has('keep-alive') : connection.has('close'),
    expect,
    framer: chunked ? new BodyFramer('chunked') : new BodyFramer('length', length ?? 0),
    headEnd: end,
  };
}

export function parseResponse(buf: Buffer, maxHeaderBytes: number): ParseResult<ResponseHead> {
  const end = headEnd(buf);
  if (end < 0) return buf.length > maxHeaderBytes ? { error: 'response head too large', status: 431 } : null;
  const s = buf.toString('latin1', 0, end - 2);
  const lineEnd = s.indexOf('\r\n');
  // HTTP/1.x SP 3DIGIT [ SP reason-phrase ]
  const minor = s.charCodeAt(7) - 0x30;
  const d1 = s.charCodeAt(9) - 0x30;
  const d2 = s.charCodeAt(10) - 0x30;
  const d3 = s.charCodeAt(11) - 0x30;
  const digits = d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9 && d3 >= 0 && d3 <= 9;
  const after = s.charCodeAt(12);
  const version = s.startsWith('HTTP/1.') && (minor === 0 || minor === 1) && s.charCodeAt(8) === 0x20;
  if (!version || !digits || (lineEnd > 12 && after !== 0x20)) {
    return { error: 'malformed status line', status: 400 };
  }
  for (let i = 13; i < lineEnd; i++) {
    if (VCHAR[s.charCodeAt(i)] !== 1) return { error: 'malformed status line', status: 400 };
  }
  const fields = parseFields(s, lineEnd + 2);
  if ('error' in fields) return { error: fields.error, status: 400 };
  return {
    rawNames: fields.rawNames,
    names: fields.names,
    values: fields.values,
    connection: fields.connection,
    status: d1 * 100 + d2 * 10 + d3,
    reason: lineEnd > 13 ? s.slice(13, lineEnd) : '',
    minor,
    headEnd: end,
  };
}

/** A field's value (the first) by its lower-case name, or null when the head has none. */
export function field(head: HeadFields, name: string): string | null {
  const i = head.names.indexOf(name);
  return i < 0 ? null : head.values[i]!;
}

/** The Host and path to route by. Absolute form (`GET http://x/ HTTP/1.1`) is how open proxies are
 * asked: its host is what gets routed (and refused when foreign). Null for a target that is no URL. */
export function routingTarget(head: RequestHead): { host: string | undefined; path: string } | null {
  if (head.target.charCodeAt(0) === 0x2f /* / */) return { host: head.host, path: head.target };
  if (!URL.canParse(head.target)) return null;
  const url = new URL(head.target);
  return { host: url.host, path: `${url.pathname}${url.search}` };
}

/** How a response body is framed (RFC 9112 §6.3), given the request method it answers. */
export function responseFramer(res: ResponseHead, method: string): BodyFramer {
  const bodiless = res.status < 200 || res.status === 204 || res.status === 304;
  if (method === 'HEAD' || bodiless) return new BodyFramer('none');
  let length = -1;
  for (let i = 0; i < res.names.length; i++) {
    const n = res.names[i]!;
    if (n === 'transfer-encoding') {
      const v = res.values[i]!.toLowerCase();
      return new BodyFramer(v.trimEnd().endsWith('chunked') ? 'chunked' : 'until-close');
    }
    if (n === 'content-length') {
      const len = contentLength(res.values[i]!);
      if (len >= 0) length = len;
    }
  }
  return length < 0 ? new BodyFramer('until-close') : new BodyFramer('length', length);
}

/** 1 to 15 decimal digits, else -1 */
function contentLength(v: string): number {
  if (v.length === 0 || v.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const d = v.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function method(s: string, len: number): string {
  for (const m of METHODS) if (m.length === len && s.startsWith(m)) return m;
  return s.slice(0, len);
}

function lower(raw: string): string {
  let lower = LOWER.get(raw);
  if (lower !== undefined) return lower;
  lower = raw.toLowerCase();
  if (raw.length <= 64) {
    if (LOWER.size >= MAX_LOWER) LOWER.clear();
    // A flat copy as the key: a slice would keep the whole head it was cut from alive.
    LOWER.set(Buffer.from(raw, 'latin1').toString('latin1'), lower);
  }
  return lower;
}

/** The field lines of head `s` from `pos` on (each ended by CRLF). */
function parseFields(s: string, pos: number): HeadFields | Failure {
  const rawNames: string[] = [];
  const names: string[] = [];
  const values: string[] = [];
  let connection = NO_TOKENS;
  while (pos < s.length) {
    const e = s.indexOf('\r\n', pos);
    let i = pos;
    while (i < e && TCHAR[s.charCodeAt(i)] === 1) i++;
    if (s.charCodeAt(i) !== 0x3a /* : */ || i === pos) {
      // also catches obsolete line folding (a line that starts with whitespace) and spaces before the colon
      if (e === pos) return { error: 'empty header line' };
      const colon = s.indexOf(':', pos);
      return { error: colon < 0 || colon > e ? 'header line without a colon' : 'invalid header name' };
    }
    // Checked before trimming: a CR or LF at either end is no whitespace (`Host: a\n` is a bare LF).
    let a = i + 1;
    let b = e;
    for (let k = a; k < b; k++) if (VCHAR[s.charCodeAt(k)] !== 1) return { error: 'invalid header value' };
    // optional whitespace is SP and HTAB only: JS trim() would also take obs-text 0xA0 off the value
    while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
    while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
    const raw = s.slice(pos, i);
    const name = lower(raw);
    const value = s.slice(a, b);
    rawNames.push(raw);
    names.push(name);
    values.push(value);
    if (name === 'connection') {
      if (connection === NO_TOKENS) connection = new Set<string>();
      for (const t of value.split(',')) (connection as Set<string>).add(t.trim().toLowerCase());
    }
    pos = e + 2;
  }
  return { rawNames, names, values, connection };
}
