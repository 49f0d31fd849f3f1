// One spelling for a git remote URL, so teammates' clones of one repository show the same remote:
// `git@github.com:Acme/Shop.git`, `https://github.com/acme/shop` and `ssh://git@github.com/acme/shop.git/` all
// become `github.com/acme/shop`. The forms are git's own (git-clone(1) "GIT URLS"): `scheme://[user@]host
// [:port]/path`, the scp-like `[user@]host:path`, and a local path (or `file://`).
// The result is a hint shown beside the project's key, never the key itself (see project-identity.ts).
import { resolve } from 'node:path';

/** Hosts whose owner and repository names are case-insensitive: their paths are lowercased. */
const CASE_INSENSITIVE_HOSTS = new Set(['github.com', 'gitlab.com', 'bitbucket.org']);

// scheme://[user[:password]@]host[:port][/path]; the host may be an [IPv6] literal.
const URL_FORM = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/]*)(?::\d*)?(\/.*)?$/i;
// git treats `host:path` as scp-like when a colon comes before any slash (git's url.c, `parse_connect_url`).
const SCP_FORM = /^(?:[^@/:]+@)?(\[[^\]]*\]|[^:/]+):(?!\/\/)(.*)$/;

/**
 * The remote as `host/path` (`file:///path` for a local one); null for an empty URL. `base`: the folder a
 * relative local path is relative to (git resolves it from the repository's top level).
 */
export function normalizeRemoteUrl(url: string, base = '/'): string | null {
  const raw = url.trim();
  if (raw === '') return null;
  const form = URL_FORM.exec(raw);
  if (form) {
    const [, scheme, host, path] = form;
    if (scheme!.toLowerCase() === 'file') return `file:///${cleanPath(path ?? '')}`;
    return hostPath(host!, path ?? '');
  }
  if (raw.startsWith('/') || raw.startsWith('.')) return `file:///${cleanPath(resolve(base, raw))}`;
  const scp = SCP_FORM.exec(raw);
  if (scp) return hostPath(scp[1]!, scp[2]!);
  return raw;
}

function hostPath(rawHost: string, rawPath: string): string {
  const host = rawHost.toLowerCase();
  const path = cleanPath(rawPath);
  const shown = CASE_INSENSITIVE_HOSTS.has(host) ? path.toLowerCase() : path;
  return shown === '' ? host : `${host}/${shown}`;
}

/** Without repeated, leading or trailing slashes and without the `.git` suffix. */
function cleanPath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  const last = parts.length - 1;
  if (last >= 0 && parts[last]!.endsWith('.git')) parts[last] = parts[last]!.slice(0, -'.git'.length);
  return parts.filter((p) => p !== '').join('/');
}
