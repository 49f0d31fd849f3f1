// Serves the built browser UI (dist/renderer) over the loopback API server: index.html with the API token
// injected into its <meta name="devmesh-token">, static assets with their content types, nothing outside
// the folder. When the UI is not built, a page that says how to build it.
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TOKEN_PLACEHOLDER = '<meta name="devmesh-token" content="">';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DevMesh: UI not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The DevMesh UI is not built</h1>
<p>The daemon is running and its API answers, but there is no browser UI to serve: <code>dist/renderer/index.html</code> is missing.</p>
<p>Build it with <code>npm run build</code> in the DevMesh checkout, then reload this page.</p>
<p>Meanwhile the command line works: <code>npx devmesh status</code>.</p>
</body></html>
`;

export type SendFn = (res: ServerResponse, status: number, contentType: string, body: string | Buffer, headers?: Record<string, string>) => void;

export class RendererAssets {
  private readonly root: string | null;

  constructor(
    rendererDir: string | null,
    private readonly token: string,
    private readonly send: SendFn,
  ) {
    this.root = rendererDir === null ? null : resolve(rendererDir);
  }

  async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const indexPath = this.root === null ? null : join(this.root, 'index.html');
    if (this.root === null || indexPath === null || !(await RendererAssets.isFile(indexPath))) {
      this.send(res, 503, 'text/html; charset=utf-8', NOT_BUILT_PAGE, { 'Cache-Control': 'no-store' });
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch (err) {
      this.send(res, 400, 'text/plain; charset=utf-8', `bad request: the path is not valid percent-encoding (${(err as Error).message})\n`);
      return;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) {
      this.send(res, 400, 'text/plain; charset=utf-8', 'bad request: the path contains a forbidden character\n');
      return;
    }
    if (decoded === '/' || decoded === '/index.html') return this.serveIndex(res, indexPath);

    const file = await this.locate(decoded);
    if (file !== null) {
      const body = await readFile(file);
      const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      // vite puts content-hashed files under /assets/: they never change under the same name.
      const cache = decoded.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      this.send(res, 200, type, body, { 'Cache-Control': cache });
      return;
    }
    // A client-side route (no file extension) gets the app; a missing asset is a real 404.
    if (extname(decoded) === '') return this.serveIndex(res, indexPath);
    this.send(res, 404, 'text/plain; charset=utf-8', `not found: ${req.url ?? pathname}\n`);
  }

  private async serveIndex(res: ServerResponse, indexPath: string): Promise<void> {
    const html = await readFile(indexPath, 'utf8');
    const withToken = html.replace(TOKEN_PLACEHOLDER, `<meta name="devmesh-token" content="${this.token}">`);
    this.send(res, 200, 'text/html; charset=utf-8', withToken, { 'Cache-Control': 'no-store' });
  }

  /** The file under the root that `urlPath` names, or null; symlinks leading outside the root are refused. */
  private async locate(urlPath: string): Promise<string | null> {
    const root = this.root;
    if (root === null) return null;
    const candidate = resolve(root, `.${urlPath}`);
    if (!candidate.startsWith(root + sep)) return null;
    if (!(await RendererAssets.isFile(candidate))) return null;
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    return realFile.startsWith(realRoot + sep) ? realFile : null;
  }

  private static async isFile(path: string): Promise<boolean> {
    try {
      return (await stat(path)).isFile();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return false;
      throw err;
    }
  }
}
