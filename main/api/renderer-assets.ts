// Serves the built browser UI (dist/renderer) over the loopback API server: index.html with the API token
// injected into its <meta name="devmesh-token">, static assets with their content types, nothing outside
// the folder. When the UI is not built, a page that says how to build it.
import { readFile } from 'node:fs/promises';
import type { AnyResponse } from './api-https-listener.js';
import { extname, join } from 'node:path';
import { RendererFiles } from './renderer-files.js';

// The empty tag in renderer/index.html, as written or as a formatter writes it (`<meta … content="" />`).
const TOKEN_PLACEHOLDER = /<meta name="devmesh-token" content=""\s*\/?>/;

/** index.html with the API token in its <meta name="devmesh-token">; null when the page has no empty tag. */
export function injectToken(html: string, token: string): string | null {
  if (!TOKEN_PLACEHOLDER.test(html)) return null;
  return html.replace(TOKEN_PLACEHOLDER, () => `<meta name="devmesh-token" content="${token}">`);
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DevMesh: UI not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The DevMesh UI is not built</h1>
<p>The daemon is running and its API answers, but there is no browser UI to serve: <code>dist/renderer/index.html</code> is missing.</p>
<p>Build it with <code>npm run build</code> in the DevMesh checkout, then reload this page.</p>
<p>Meanwhile the command line works: <code>npx devmesh status</code>.</p>
</body></html>
`;

export type SendFn = (
  res: AnyResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers?: Record<string, string>,
) => void;

export class RendererAssets {
  private readonly files: RendererFiles | null;

  constructor(
    rendererDir: string | null,
    private readonly token: string,
    private readonly send: SendFn,
  ) {
    this.files = rendererDir === null ? null : new RendererFiles(rendererDir);
  }

  async serve(req: { url?: string }, res: AnyResponse, pathname: string): Promise<void> {
    const files = this.files;
    const indexPath = files === null ? null : join(files.root, 'index.html');
    if (files === null || indexPath === null || !(await RendererFiles.isFile(indexPath))) {
      this.send(res, 503, 'text/html; charset=utf-8', NOT_BUILT_PAGE, { 'Cache-Control': 'no-store' });
      return;
    }
    const path = RendererFiles.decode(pathname);
    if (!path.ok) {
      this.send(res, 400, 'text/plain; charset=utf-8', `bad request: ${path.reason}\n`);
      return;
    }
    const decoded = path.path;
    if (decoded === '/' || decoded === '/index.html') return this.serveIndex(res, indexPath);

    const file = await files.locate(decoded);
    if (file !== null) {
      const body = await readFile(file);
      const type = RendererFiles.contentType(file);
      // vite puts content-hashed files under /assets/: they never change under the same name.
      const cache = decoded.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      this.send(res, 200, type, body, { 'Cache-Control': cache });
      return;
    }
    // A client-side route (no file extension) gets the app; a missing asset is a real 404.
    if (extname(decoded) === '') return this.serveIndex(res, indexPath);
    this.send(res, 404, 'text/plain; charset=utf-8', `not found: ${req.url ?? pathname}\n`);
  }

  private async serveIndex(res: AnyResponse, indexPath: string): Promise<void> {
    const html = await readFile(indexPath, 'utf8');
    const withToken = injectToken(html, this.token);
    if (withToken === null) {
      // Served without its token the page could not reach the API ("authentication failed"): say why instead.
      const why =
        `${indexPath} has no <meta name="devmesh-token" content=""> tag for the API token, so the UI could ` +
        'not reach the API. Rebuild the UI (npm run build) from a renderer/index.html that keeps the tag.\n';
      this.send(res, 500, 'text/plain; charset=utf-8', why, { 'Cache-Control': 'no-store' });
      return;
    }
    this.send(res, 200, 'text/html; charset=utf-8', withToken, { 'Cache-Control': 'no-store' });
  }
}
