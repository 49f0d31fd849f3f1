// What makes a project's copy in a git worktree differ from the main checkout it copies: its DNS label (the
// branch made safe for `<service>.<label>.localhost`), its id `<of>@<label>`, and its config: every service on
// a port DevMesh allocates (a fixed `port:` would clash with the main checkout's), nothing started on open.
import { DevMeshError } from '../../../shared/errors.js';
import type { WorktreeCopy } from '../../../shared/service.js';
import type { ProjectConfig } from '../config/project-config.js';

/** RFC 1035 §2.3.4: a label is at most 63 octets */
export const DNS_LABEL_MAX = 63;

/**
 * `feature/Login_2` → `feature-login-2`: lower case, every run of other characters one hyphen, no hyphen at
 * either end (RFC 1123 §2.1 host name labels), at most 63 characters. Throws when nothing is left.
 */
export function dnsLabel(branch: string): string {
  const label = branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, DNS_LABEL_MAX)
    .replace(/-+$/, '');
  if (label === '') {
    throw new DevMeshError(
      'BAD_REQUEST',
      `the branch "${branch}" has no letter or digit to name its services by (<service>.<branch>.localhost); ` +
        'run the worktree on a branch whose name has some',
    );
  }
  return label;
}

/** `shop` + `feature-login` → `shop@feature-login` (a project id never holds `@`: config-schema NAME_PATTERN) */
export function copyId(of: string, label: string): string {
  return `${of}@${label}`;
}

/**
 * The worktree's own devmesh.yaml, as the copy runs it: the copy's id, every service on an allocated port
 * (its `$PORT`), and no autostart: a copy's services start when someone asks for them.
 */
export function copyConfig(config: ProjectConfig, copy: WorktreeCopy): ProjectConfig {
  const services: ProjectConfig['services'] = {};
  for (const [name, service] of Object.entries(config.services)) {
    // a fixed tcp_port would clash with the main checkout's stable address too: the copy gets its own
    services[name] = { ...service, port: null, tcpPort: null, autostart: false };
  }
  const fixed = Object.values(config.services).filter((s) => s.port !== null);
  const warnings = fixed.length
    ? [
        ...config.warnings,
        `worktree copy ${copyId(copy.of, copy.label)}: ${fixed.map((s) => `${s.name} (port ${s.port})`).join(', ')} ` +
          'run on a port DevMesh picks instead of the fixed one; they must listen on $PORT',
      ]
    : config.warnings;
  return { ...config, id: copyId(copy.of, copy.label), services, warnings };
}
