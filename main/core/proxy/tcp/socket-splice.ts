// Joins two sockets byte for byte both ways (a tunnel's client and the service it reaches): backpressure by
// pipe, a half-close passed on (a client that ends its side still gets the rest of the answer; both sockets
// allow half-open), and any error or close on one side ends the other, so nothing is left open or thrown.
import type { Socket } from 'node:net';

/** `onDone` is called once both sockets are closed, with the first error either side had (null: clean). */
export function spliceSockets(a: Socket, b: Socket, onDone: (err: Error | null) => void = () => {}): void {
  let first: Error | null = null;
  let open = 2;
  const fail = (err: Error): void => {
    first ??= err;
    a.destroy();
    b.destroy();
  };
  a.on('error', fail);
  b.on('error', fail);
  const closed = (other: Socket) => (): void => {
    // Its peer is gone: what `other` still holds to write goes out first, then it closes.
    if (!other.destroyed) other.destroySoon();
    if (--open === 0) onDone(first);
  };
  a.once('close', closed(b));
  b.once('close', closed(a));
  a.pipe(b);
  b.pipe(a);
}
