// The window's page comes from app://devmesh/, not file:// (Electron's security checklist: "Use a custom
// protocol instead of file://"): a file:// page may read any file:// URL and has an opaque origin, while
// app://devmesh is an origin of its own that can reach only what this handler serves, the files of
// dist/renderer (inside app.asar once packaged), each with its content type and the app's one CSP.
import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { RendererFiles } from '../api/renderer-files.js';
import { CONTENT_SECURITY_POLICY } from '../../shared/content-security-policy.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'devmesh';
/** What the window loads. The view lives in the hash (#services), so this one URL is the whole app. */
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Must run before the app's 'ready' event, once (Electron's protocol docs). `standard`: relative URLs
 * resolve, the page has the origin app://devmesh and web storage; `secure`: a secure context like https
 * (navigator.clipboard needs one); `supportFetchAPI`: vite's module scripts and their imports are fetched;
 * `codeCache`: V8 caches the scripts across starts. Not `corsEnabled`: nothing else may read these files.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

export interface AppProtocolLogger {
  warn(obj: object, msg?: string): void;
}

/** Serves app://devmesh/… from the built renderer; every other URL of the scheme is a 404. */
export class AppProtocol {
  private readonly files: RendererFiles;

  constructor(
    rendererDir: string,
    private readonly logger?: AppProtocolLogger,
  ) {
    this.files = new RendererFiles(rendererDir);
  }

  /** After 'ready': the default session (the window's) answers app:// with respond(). */
  register(): void {
    protocol.handle(APP_SCHEME, (request) => this.respond(request));
  }

  async respond(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return AppProtocol.text(404, `not found: ${url.href}`);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return AppProtocol.text(405, `method not allowed: ${request.method}`);
    }
    const path = RendererFiles.decode(url.pathname);
    if (!path.ok) return AppProtocol.text(400, `bad request: ${path.reason}`);
    try {
      const file = await this.files.locate(path.path === '/' ? '/index.html' : path.path);
      if (file === null) return AppProtocol.text(404, `not found: ${url.pathname}`);
      const body = request.method === 'HEAD' ? null : await readFile(file);
      const headers = { ...AppProtocol.headers(RendererFiles.contentType(file)), 'Cache-Control': 'no-cache' };
      return new Response(body, { status: 200, headers });
    } catch (err) {
      const message = (err as Error).message;
      this.logger?.warn({ domain: 'app', url: url.href, err: message }, 'app:// could not read a file of the UI');
      return AppProtocol.text(500, `could not read ${url.pathname}: ${message}`);
    }
  }

  private static headers(contentType: string): Record<string, string> {
    return {
      'Content-Type': contentType,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
    };
  }

  private static text(status: number, body: string): Response {
    return new Response(`${body}\n`, { status, headers: AppProtocol.headers('text/plain; charset=utf-8') });
  }
}
