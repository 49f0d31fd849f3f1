// The receiver's listening socket itself: Node's server emits 'error' when accept() fails (EMFILE, the
// process out of file descriptors), which with no listener is an uncaught exception that ends the daemon.
// The receiver keeps a listener for the life of the server, logs it, and goes on answering once descriptors
// are back; and it holds a bounded number of connections at once, so parallel bodies cannot pile up.
import { createConnection } from 'node:net';
import type { Server } from 'node:http';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../../../main/core/usage/otlp-receiver.js';
import { until } from '../../helpers/until.js';
import { postJson } from './otlp-fixtures.js';

let receiver: OtlpReceiver | null = null;
afterEach(() => receiver?.dispose());

function start(): OtlpReceiver {
  receiver = new OtlpReceiver({
    ingest: (readings) => ({ counted: readings.length, unknownAgent: 0, stored: true }),
    logger: pino({ enabled: false }),
  });
  return receiver;
}

describe("the OTLP receiver's server", () => {
  it('outlives a failed accept (EMFILE) and still answers exports', async () => {
    const r = start();
    await r.listen();
    const server = (r as unknown as { server: Server }).server;
    const emfile = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' });
    expect(() => server.emit('error', emfile)).not.toThrow();
    const answer = await postJson(r.endpoint!, '/v1/metrics', { resourceMetrics: [] });
    expect(answer.status).toBe(200);
  });

  it('holds a bounded number of connections at once', async () => {
    const r = start();
    const port = await r.listen();
    const sockets = Array.from({ length: 80 }, () => createConnection(port, '127.0.0.1'));
    let closed = 0;
    for (const s of sockets) {
      s.on('error', () => undefined);
      s.on('close', () => closed++);
    }
    // past the bound the server closes the newest at once; the first ones stay open, waiting for a request
    await until('the connections past the bound closed', () => closed >= 80 - 64);
    expect(closed).toBeLessThan(80);
    for (const s of sockets) s.destroy();
  });
});
