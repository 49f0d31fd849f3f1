// A command line the CLI cannot understand (unknown option, missing argument): exit code 2, with a pointer
// to the command's --help.
import { DevMeshError } from '../../shared/devmesh-error.js';

export class UsageError extends DevMeshError {
  constructor(
    message: string,
    readonly command: string | null,
  ) {
    super('BAD_REQUEST', message);
    this.name = 'UsageError';
  }
}
