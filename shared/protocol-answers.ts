// How a face checks one answer of the devmesh.v1 protocol: against its method's output schema, and in time.
// Shared by the frame client (protocol-client.ts) and the Electron IPC client, whose calls are not frames.
import type { ApiMethod, ApiOutput } from './api.js';
import type { DevMeshError } from './devmesh-error.js';
import type { SafeParser } from './protocol-transport.js';

/** A call's answer checked against its method's output schema (null: taken as typed). */
export function checkedOutput<M extends ApiMethod>(
  method: M,
  value: unknown,
  schema: SafeParser | null,
  invalid: (method: M, issue: string) => DevMeshError,
): ApiOutput<M> {
  if (schema === null) return value as ApiOutput<M>;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(method, firstIssue(parsed.error));
  return parsed.data as ApiOutput<M>;
}

/** Rejects with `timeout()` when `promise` has not settled within `timeoutMs`. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, timeout: () => DevMeshError): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeout()), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** The first issue of a failed parse, for a message. */
export function firstIssue(error: unknown): string {
  const issues = (error as { issues?: { message?: string }[] } | undefined)?.issues;
  return issues?.[0]?.message ?? 'invalid';
}
