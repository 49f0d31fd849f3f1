// Reads the one newline-ended line that opens each side of a peer tunnel (tunnel-protocol.ts), bounded in
// size and time so a slow or hostile peer cannot hold memory or a socket. Bytes that came after the line are
// put back into the socket (unshift): they belong to what follows (a TCP stream, a snapshot file).
import type { Duplex } from 'node:stream';

export class LineRefused extends Error {
  constructor(
    readonly reason: 'too-long' | 'timeout' | 'ended' | 'error',
    message: string,
  ) {
    super(message);
    this.name = 'LineRefused';
  }
}

/**
 * Resolves with the first line (without its newline). It reads in paused mode ('readable'), so the socket is
 * handed back as it came: neither paused nor flowing, a 'data' listener or a pipe starts it. Rejects with
 * LineRefused when more than `maxBytes` come without a newline, when nothing whole came within `timeoutMs`,
 * or when the socket ends or fails first.
 */
export function readLine(socket: Duplex, maxBytes: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (): void => {
      settled = true;
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
    };
    const fail = (reason: LineRefused['reason'], message: string): void => {
      if (settled) return;
      done();
      reject(new LineRefused(reason, message));
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while (!settled && (chunk = socket.read() as Buffer | null) !== null) {
        const nl = chunk.indexOf(10);
        if (nl < 0 || size + nl > maxBytes) {
          size += chunk.length;
          if (size > maxBytes) return fail('too-long', `the line is longer than ${maxBytes} bytes`);
          chunks.push(chunk);
          continue;
        }
        chunks.push(chunk.subarray(0, nl));
        done();
        if (nl + 1 < chunk.length) socket.unshift(chunk.subarray(nl + 1));
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    };
    const onEnd = (): void => fail('ended', 'the connection ended before a whole line came');
    const onError = (err: Error): void => fail('error', err.message);
    const timer = setTimeout(() => fail('timeout', `no whole line within ${timeoutMs} ms`), timeoutMs);
    socket.on('readable', onReadable);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onError);
  });
}
