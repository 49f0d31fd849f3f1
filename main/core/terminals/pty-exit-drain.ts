// Keeps a PTY's last output when its reader falls behind the exit. node-pty (1.1.0, lib/unixTerminal.js)
// waits at most 200 ms after the child's exit for its read stream to close, then destroys the stream: what
// is still unread then is dropped (microsoft/node-pty#72, #85), whether the reader was paused by flow
// control or the machine was too busy to run the read in time (CI saw the last ~400 bytes of a command go).
// Before that destroy, this module hands over what the stream holds and then reads the master directly,
// synchronously, until nothing is left: the master is non-blocking, so a read ends with EAGAIN (a background
// job still holds the terminal) or EIO (every holder is gone), never waits. node-pty emits the exit only
// after the destroy, so the rescued bytes reach the views first.
//
// It reaches into node-pty's private `_socket` and `_fd` (node-pty is pinned in package.json); when they are
// not there (Windows, another node-pty), it does nothing and node-pty behaves as before.
import { readSync } from 'node:fs';
import type { IPty } from 'node-pty';
import type { Socket } from 'node:net';

const READ_BYTES = 64 * 1024;
/** a master holds at most a few 64 KB buffers; the bound only keeps a misbehaving fd from looping forever */
const MAX_READS = 256;

interface NodePtyInternals {
  _socket?: Socket;
  _fd?: number;
}

/** Wraps the stream's destroy: from then on nothing the child wrote before its exit is lost. */
export function install(pty: IPty, onBytes: (chunk: Buffer) => void): void {
  const internals = pty as unknown as NodePtyInternals;
  const socket = internals._socket;
  const fd = internals._fd;
  if (socket === undefined || typeof socket.destroy !== 'function' || typeof fd !== 'number') return;
  const destroy = socket.destroy.bind(socket);
  let drained = false;
  socket.destroy = (error?: Error) => {
    if (!drained && !socket.destroyed) {
      drained = true;
      drain(socket, fd, onBytes);
    }
    return destroy(error);
  };
}

function drain(socket: Socket, fd: number, onBytes: (chunk: Buffer) => void): void {
  // What the stream already read but has not emitted (it was paused): read() emits it as 'data', which
  // node-pty forwards like any other output.
  while (socket.readableLength > 0 && socket.read() !== null) {
    /* emitted */
  }
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  for (let i = 0; i < MAX_READS; i++) {
    let n: number;
    try {
      n = readSync(fd, buffer, 0, READ_BYTES, null);
    } catch {
      return; // EAGAIN: nothing more now; EIO: the terminal is closed; EBADF: the fd is already gone
    }
    if (n <= 0) return;
    onBytes(Buffer.from(buffer.subarray(0, n)));
  }
}
