// The files of the built UI (dist/renderer) as a URL path names them: what both faces that serve the page
// share (the daemon's loopback server, RendererAssets; the app's app:// handler, AppProtocol). A path is
// percent-decoded once, may not hold NUL or a backslash, and resolves to a regular file under the folder;
// symlinks leading outside it are refused.
import { realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

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

/** A URL path, percent-decoded, or why it cannot name a file. */
export type DecodedPath = { ok: true; path: string } | { ok: false; reason: string };

export class RendererFiles {
  readonly root: string;

  constructor(rendererDir: string) {
    this.root = resolve(rendererDir);
  }

  /** The content type a browser needs for `file` (module scripts are refused without a JavaScript type). */
  static contentType(file: string): string {
    return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  }

  static decode(pathname: string): DecodedPath {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch (err) {
      return { ok: false, reason: `the path is not valid percent-encoding (${(err as Error).message})` };
    }
    if (decoded.includes('\0') || decoded.includes('\\')) {
      return { ok: false, reason: 'the path contains a forbidden character' };
    }
    return { ok: true, path: decoded };
  }

  /** The file under the root that the decoded `urlPath` names, or null; symlinks leading outside are refused. */
  async locate(urlPath: string): Promise<string | null> {
    const root = this.root;
    const candidate = resolve(root, `.${urlPath}`);
    if (!candidate.startsWith(root + sep)) return null;
    if (!(await RendererFiles.isFile(candidate))) return null;
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    return realFile.startsWith(realRoot + sep) ? realFile : null;
  }

  static async isFile(path: string): Promise<boolean> {
    try {
      return (await stat(path)).isFile();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return false;
      throw err;
    }
  }
}
