// DevMesh's own answers when it cannot or will not forward: an HTML page for browsers (Accept: text/html),
// JSON for everything else. The 404 page lists the services that can be reached, as links.
import type { RouteInfo } from '../../../shared/proxy.js';
import type { ProxyReplyCode } from '../../../shared/wire-errors.js';

export interface ProxyReply {
  status: number;
  contentType: string;
  body: string;
}

export interface ReplyInput {
  status: number;
  /** short machine-readable cause, e.g. `service_not_found` (the closed list is shared/wire-errors.ts) */
  code: ProxyReplyCode;
  title: string;
  message: string;
  html: boolean;
  known?: RouteInfo[];
  extra?: Record<string, unknown>;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  431: 'Request Header Fields Too Large',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  508: 'Loop Detected',
};

export function reply(input: ReplyInput): ProxyReply {
  if (!input.html) {
    const json: Record<string, unknown> = {
      error: { status: input.status, code: input.code, message: input.message },
      ...input.extra,
    };
    if (input.known)
      json.services = input.known.map((r) => ({
        project: r.project,
        service: r.service,
        state: r.state,
        urls: r.urls,
      }));
    return { status: input.status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(json) };
  }
  let list = '';
  if (input.known) {
    const items = input.known.map((r) => {
      const links = r.urls.map((u) => `<a href="${esc(u)}">${esc(u)}</a>`).join(' ');
      return `<li><b>${esc(r.service)}</b> <small>(${esc(r.project)}, ${esc(r.state)})</small> ${links}</li>`;
    });
    list = items.length > 0 ? `<h2>Known services</h2><ul>${items.join('')}</ul>` : '<p>No services are known yet.</p>';
  }
  const body =
    `<!doctype html><html><head><meta charset="utf-8"><title>${esc(input.title)} · DevMesh</title></head>` +
    `<body style="font-family:system-ui,sans-serif;max-width:48rem;margin:3rem auto">` +
    `<h1>${input.status} ${esc(input.title)}</h1><p>${esc(input.message)}</p>${list}` +
    `<hr><small>DevMesh local proxy</small></body></html>`;
  return { status: input.status, contentType: 'text/html; charset=utf-8', body };
}

/** The reply as raw HTTP/1.1 bytes for the fast path. */
export function bytes(reply: ProxyReply, close: boolean, headOnly = false): Buffer {
  const body = Buffer.from(reply.body, 'utf8');
  const head =
    `HTTP/1.1 ${reply.status} ${statusText(reply.status)}\r\n` +
    `Content-Type: ${reply.contentType}\r\nContent-Length: ${body.length}\r\nCache-Control: no-store\r\n` +
    `Via: 1.1 devmesh\r\nConnection: ${close ? 'close' : 'keep-alive'}\r\n\r\n`;
  return headOnly ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** The answer to a request too broken to route (400, 408, 431); the connection closes after it. */
export function refusal(status: number, why: string): Buffer {
  const title = statusText(status);
  return bytes(reply({ status, code: 'bad_request', title, message: why, html: false }), true);
}

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? 'Error';
}

export function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/html');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
