// DevMeshError without the contract's schemas: the CLI's start path throws and catches it without loading
// zod (shared/errors.ts re-exports it, beside the codes and the ErrorInfo schema).
import type { ErrorCode, ErrorInfo } from './errors.js';

/** The one error class of DevMesh: a code from the closed union and a message a user can act on. */
export class DevMeshError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DevMeshError';
  }

  toInfo(): ErrorInfo {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  /** Turns anything thrown into an ErrorInfo; unexpected errors become INTERNAL with their message kept. */
  static toInfo(err: unknown): ErrorInfo {
    if (err instanceof DevMeshError) return err.toInfo();
    const message = err instanceof Error ? err.message : String(err);
    return { code: 'INTERNAL', message: `internal error: ${message}` };
  }
}
