// Reads a service's pipe (stdout, stderr) into its lines, at the pace the log store takes them: while the store's
// writer is behind (LogStore.congested), the pipe is not read, so the service's own writes wait in the pipe as they
// would on a slow terminal, and the daemon's memory stays bounded.
import type { Readable } from 'node:stream';
import type { LineSplitter } from './line-splitter.js';

export function readPipe(pipe: Readable, lines: LineSplitter, congested: () => Promise<void> | null): void {
  pipe.on('data', (chunk: Buffer) => {
    lines.write(chunk);
    const behind = congested();
    if (!behind) return;
    pipe.pause();
    void behind.then(() => pipe.resume());
  });
}
