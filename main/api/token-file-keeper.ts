// Keeps the running daemon's API token on disk ($DEVMESH_HOME/token, 0600). Every client (the CLI, the MCP
// server, the hooks) authenticates with that file; deleted, it would lock every command out, `down`
// included. The daemon holds the token in memory, so it writes the file back when a client is refused for
// a missing or wrong token, before answering: a client that finds no file connects without a token on
// purpose (ApiClient), and its retry finds the file again. Checked only then, never on a timer: it costs
// nothing while nobody is locked out.
//
// A file that holds another well-formed token is left alone (someone rotated it, or another DevMesh uses
// this home): the client's message then says how to restart DevMesh.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';

export type TokenFileState = 'present' | 'restored' | 'foreign' | 'failed';

const TOKEN_RE = /^[0-9a-f]{64}$/;

export class TokenFileKeeper {
  constructor(private readonly deps: { path: string; token: string; logger: Logger }) {}

  /** Writes the token back when the file is missing, empty or not a token. Never throws. */
  restoreIfMissing(): TokenFileState {
    const { path, token, logger } = this.deps;
    let current: string | null = null;
    try {
      current = readFileSync(path, 'utf8').trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        logger.warn({ domain: 'api', path, err: (err as Error).message }, 'cannot read the API token file');
      }
    }
    if (current === token) return 'present';
    if (current !== null && TOKEN_RE.test(current)) {
      logger.warn({ domain: 'api', path }, 'the API token file holds another token; left as is');
      return 'foreign';
    }
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
      chmodSync(tmp, 0o600);
      renameSync(tmp, path);
      logger.warn({ domain: 'api', path }, 'the API token file was missing; restored it');
      return 'restored';
    } catch (err) {
      logger.error({ domain: 'api', path, err: (err as Error).message }, 'could not restore the API token file');
      return 'failed';
    }
  }
}
