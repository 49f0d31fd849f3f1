// A light HTTP/1.x head parser for the proxy's fast path: finds the end of a request or response head,
// splits the start line and header fields, and derives the framing facts (body length, chunked,
// upgrade, keep-alive). It never touches body bytes; those are framed by BodyFramer.
import { BodyFramer } from './body-framer.js';

export interface HeadFields {
  /** header names as sent, for re-emission */
  rawNames: string[];
  /** lower-cased names, same order */
  names: string[];
  values: string[];
  /** tokens of every Connection header, lower-cased */
  connection: Set<string>;
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
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// A field value holds HTAB, SP, VCHAR and obs-text only (RFC 9110 §5.5): any other control character (a
// bare CR or LF above all) is read differently by different parsers, the stuff of request smuggling.
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
// The request target is visible ASCII only.
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e]+) HTTP\/1\.([01])$/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/;

export class HttpHeadParser {
  /** Where the head in `buf` ends (index after the blank line), or -1 when it has not all arrived. */
  static headEnd(buf: Buffer): number {
    const i = buf.indexOf(CRLF2);
    return i < 0 ? -1 : i + 4;
  }

  static parseRequest(buf: Buffer, maxHeaderBytes: number): ParseResult<RequestHead> {
    const end = HttpHeadParser.headEnd(buf);
    if (end < 0) return buf.length > maxHeaderBytes ? { error: 'request head too large', status: 431 } : null;
    if (end > maxHeaderBytes) return { error: 'request head too large', status: 431 };
    // Tolerate stray CRLFs between requests (RFC 9112 §2.2).
    let start = 0;
    while (start + 1 < end && buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2;
    const lines = buf.toString('latin1', start, end - 4).split('\r\n');
    const m = REQUEST_LINE.exec(lines[0]!);
    if (m === null) return { error: 'malformed request line', status: 400 };
    const fields = HttpHeadParser.fields(lines);
    if (typeof fields === 'string') return { error: fields, status: 400 };
    let host: string | undefined;
    let upgrade: string | null = null;
    let length: number | null = null;
    let chunked = false;
    let expect = false;
    for (let i = 0; i < fields.names.length; i++) {
      const n = fields.names[i]!;
      const v = fields.values[i]!;
      if (n === 'host') {
        if (host !== undefined) return { error: 'more than one Host header', status: 400 };
        host = v;
      } else if (n === 'content-length') {
        if (!/^\d{1,15}$/.test(v) || (length !== null && length !== Number(v)))
          return { error: 'invalid Content-Length', status: 400 };
        length = Number(v);
      } else if (n === 'transfer-encoding') {
        const codings = v.toLowerCase().split(',').map((s) => s.trim());
        if (codings[codings.length - 1] !== 'chunked') return { error: 'unsupported Transfer-Encoding', status: 400 };
        chunked = true;
      } else if (n === 'upgrade') upgrade = v;
      else if (n === 'expect') expect = true;
    }
    // Both framings at once is the classic request-smuggling shape: refuse rather than guess.
    if (chunked && length !== null) return { error: 'both Content-Length and Transfer-Encoding', status: 400 };
    const minor = Number(m[3]);
    const close = minor === 0 ? !fields.connection.has('keep-alive') : fields.connection.has('close');
    return {
      ...fields,
      method: m[1]!,
      target: m[2]!,
      minor,
      host,
      upgrade: upgrade !== null && fields.connection.has('upgrade') ? upgrade : null,
      close,
      expect,
      framer: chunked ? new BodyFramer('chunked') : new BodyFramer('length', length ?? 0),
      headEnd: end,
    };
  }

  static parseResponse(buf: Buffer, maxHeaderBytes: number): ParseResult<ResponseHead> {
    const end = HttpHeadParser.headEnd(buf);
    if (end < 0) return buf.length > maxHeaderBytes ? { error: 'response head too large', status: 431 } : null;
    const lines = buf.toString('latin1', 0, end - 4).split('\r\n');
    const m = STATUS_LINE.exec(lines[0]!);
    if (m === null) return { error: 'malformed status line', status: 400 };
    const fields = HttpHeadParser.fields(lines);
    if (typeof fields === 'string') return { error: fields, status: 400 };
    return { ...fields, status: Number(m[2]), reason: m[3] ?? '', minor: Number(m[1]), headEnd: end };
  }

  /** A field's value (the first, trimmed) by its lower-case name, or null when the head has none. */
  static field(head: HeadFields, name: string): string | null {
    const i = head.names.indexOf(name);
    return i < 0 ? null : head.values[i]!.trim();
  }

  /** The Host and path to route by. Absolute form (`GET http://x/ HTTP/1.1`) is how open proxies are
   * asked: its host is what gets routed (and refused when foreign). Null for a target that is no URL. */
  static routingTarget(head: RequestHead): { host: string | undefined; path: string } | null {
    if (head.target.charCodeAt(0) === 0x2f /* / */) return { host: head.host, path: head.target };
    if (!URL.canParse(head.target)) return null;
    const url = new URL(head.target);
    return { host: url.host, path: `${url.pathname}${url.search}` };
  }

  /** How a response body is framed (RFC 9112 §6.3), given the request method it answers. */
  static responseFramer(res: ResponseHead, method: string): BodyFramer {
    if (method === 'HEAD' || res.status < 200 || res.status === 204 || res.status === 304)
      return new BodyFramer('none');
    let length: number | null = null;
    for (let i = 0; i < res.names.length; i++) {
      const n = res.names[i]!;
      if (n === 'transfer-encoding') {
        const v = res.values[i]!.toLowerCase();
        return new BodyFramer(v.trimEnd().endsWith('chunked') ? 'chunked' : 'until-close');
      }
      if (n === 'content-length' && /^\d{1,15}$/.test(res.values[i]!)) length = Number(res.values[i]);
    }
    return length === null ? new BodyFramer('until-close') : new BodyFramer('length', length);
  }

  /** The value without its optional whitespace (SP and HTAB only: JS trim() would also eat obs-text 0xA0). */
  private static trimOws(v: string): string {
    let a = 0;
    let b = v.length;
    while (a < b && (v.charCodeAt(a) === 0x20 || v.charCodeAt(a) === 0x09)) a++;
    while (b > a && (v.charCodeAt(b - 1) === 0x20 || v.charCodeAt(b - 1) === 0x09)) b--;
    return a === 0 && b === v.length ? v : v.slice(a, b);
  }

  private static fields(lines: string[]): HeadFields | string {
    const rawNames: string[] = [];
    const names: string[] = [];
    const values: string[] = [];
    const connection = new Set<string>();
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) return line.length === 0 ? 'empty header line' : 'header line without a colon';
      const raw = line.slice(0, colon);
      if (!TOKEN.test(raw)) return 'invalid header name'; // also catches obsolete line folding
      // Checked before trimming: a CR or LF at either end is no whitespace (`Host: a\n` is a bare LF).
      const rawValue = line.slice(colon + 1);
      if (BAD_VALUE.test(rawValue)) return 'invalid header value';
      const value = HttpHeadParser.trimOws(rawValue);
      const name = raw.toLowerCase();
      rawNames.push(raw);
      names.push(name);
      values.push(value);
      if (name === 'connection') for (const t of value.split(',')) connection.add(t.trim().toLowerCase());
    }
    return { rawNames, names, values, connection };
  }
}
