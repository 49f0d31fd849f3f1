// Whether an XEmbed system tray runs on the X11 display: per the System Tray Protocol Specification
// (freedesktop.org), a tray owns the selection `_NET_SYSTEM_TRAY_S<screen>`. This is the fallback Electron's
// Linux tray uses where no StatusNotifierWatcher exists (GTK's status icon; see tray-presence.ts). Plain Node:
// the X11 core protocol spoken over the display's socket for three requests (connection setup with the
// MIT-MAGIC-COOKIE-1 from ~/.Xauthority, InternAtom only-if-exists, GetSelectionOwner). No X library needed.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';

interface Display {
  host: string;
  number: string;
  screen: number;
}

/** `[host]:number[.screen]`; null for what is not an X11 display name. */
export function parseDisplay(name: string): Display | null {
  const match = /^([^:]*):(\d+)(?:\.(\d+))?$/.exec(name.trim());
  return match ? { host: match[1]!, number: match[2]!, screen: Number(match[3] ?? 0) } : null;
}

interface Cookie {
  name: string;
  data: Buffer;
}

const FAMILY_LOCAL = 256;
const FAMILY_WILD = 65535;

/** The cookie for a local display from an Xauthority file (entries: family, address, number, name, data). */
export function findCookie(file: Buffer, display: Display, localHost = hostname()): Cookie | null {
  let at = 0;
  const field = (): Buffer | null => {
    if (at + 2 > file.length) return null;
    const length = file.readUInt16BE(at);
    if (at + 2 + length > file.length) return null;
    const value = file.subarray(at + 2, at + 2 + length);
    at += 2 + length;
    return value;
  };
  while (at + 2 <= file.length) {
    const family = file.readUInt16BE(at);
    at += 2;
    const [address, number, name, data] = [field(), field(), field(), field()];
    if (!address || !number || !name || !data) return null;
    const local = family === FAMILY_WILD || (family === FAMILY_LOCAL && address.toString() === localHost);
    const sameDisplay = number.length === 0 || number.toString() === display.number;
    const magic = name.toString() === 'MIT-MAGIC-COOKIE-1';
    if (local && sameDisplay && magic) return { name: name.toString(), data: Buffer.from(data) };
  }
  return null;
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

function setupRequest(cookie: Cookie | null): Buffer {
  const name = Buffer.from(cookie?.name ?? '');
  const data = cookie?.data ?? Buffer.alloc(0);
  const head = Buffer.alloc(12);
  head.write('l', 0); // little-endian
  head.writeUInt16LE(11, 2);
  head.writeUInt16LE(0, 4);
  head.writeUInt16LE(name.length, 6);
  head.writeUInt16LE(data.length, 8);
  return Buffer.concat([head, name, Buffer.alloc(pad4(name.length)), data, Buffer.alloc(pad4(data.length))]);
}

function internAtomRequest(atom: string): Buffer {
  const name = Buffer.from(atom);
  const request = Buffer.alloc(8 + name.length + pad4(name.length));
  request.writeUInt8(16, 0); // InternAtom
  request.writeUInt8(1, 1); // only-if-exists: an atom no one interned has no owner
  request.writeUInt16LE(request.length / 4, 2);
  request.writeUInt16LE(name.length, 4);
  name.copy(request, 8);
  return request;
}

function getSelectionOwnerRequest(atom: number): Buffer {
  const request = Buffer.alloc(8);
  request.writeUInt8(23, 0); // GetSelectionOwner
  request.writeUInt16LE(2, 2);
  request.writeUInt32LE(atom, 4);
  return request;
}

export interface XembedTrayOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** True when a system tray owns the selection, false when none does, null when the display cannot be asked. */
export async function xembedTrayOwned(options: XembedTrayOptions = {}): Promise<boolean | null> {
  const env = options.env ?? process.env;
  const display = parseDisplay(env.DISPLAY ?? '');
  if (!display) return null;
  let cookie: Cookie | null;
  try {
    cookie = findCookie(readFileSync(env.XAUTHORITY || join(env.HOME || homedir(), '.Xauthority')), display);
  } catch {
    cookie = null; // no Xauthority: servers without access control still answer
  }
  const local = display.host === '' || display.host === 'unix';
  const socket = local
    ? connect(`/tmp/.X11-unix/X${display.number}`)
    : connect(6000 + Number(display.number), display.host);
  return converse(socket, cookie, `_NET_SYSTEM_TRAY_S${display.screen}`, options.timeoutMs ?? 3000);
}

function converse(
  socket: Socket,
  cookie: Cookie | null,
  selection: string,
  timeoutMs: number,
): Promise<boolean | null> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    let step: 'setup' | 'atom' | 'owner' = 'setup';
    const finish = (answer: boolean | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on('error', () => finish(null));
    socket.on('close', () => finish(null));
    socket.on('connect', () => socket.write(setupRequest(cookie)));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (step === 'setup') {
        if (buffered.length < 8) return;
        const total = 8 + 4 * buffered.readUInt16LE(6);
        if (buffered.length < total) return;
        if (buffered[0] !== 1) return finish(null); // refused (authentication)
        buffered = buffered.subarray(total);
        step = 'atom';
        socket.write(internAtomRequest(selection));
        return;
      }
      if (buffered.length < 32) return;
      const reply = buffered.subarray(0, 32);
      buffered = buffered.subarray(32);
      if (reply[0] !== 1) return finish(null); // an X error
      const value = reply.readUInt32LE(8);
      if (step === 'atom') {
        if (value === 0) return finish(false); // never interned: no tray ever ran
        step = 'owner';
        socket.write(getSelectionOwnerRequest(value));
        return;
      }
      finish(value !== 0);
    });
  });
}
