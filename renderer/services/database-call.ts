// How the database controls run a daemon call: the answer, or the daemon's refusal as it said it (its code and
// its message, which says what went wrong and how to fix it), never a rewording of our own.
import { DevMeshError } from '../../shared/errors.js';
import { messageOf } from '../state/list-sync.js';

export type CallOutcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export async function runCall<T>(call: () => Promise<T>): Promise<CallOutcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    return { ok: false, code: err instanceof DevMeshError ? err.code : 'INTERNAL', message: messageOf(err) };
  }
}

/** "SNAPSHOT_CORRUPT: snapshot nightly of api-db does not match its sha256 …" */
export const failureText = (f: { code: string; message: string }): string => `${f.code}: ${f.message}`;
