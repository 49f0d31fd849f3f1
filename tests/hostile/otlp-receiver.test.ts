// Hostile input for the loopback OTLP receiver against a REAL daemon (`devmesh up` child on a temp home):
// bodies that are not JSON, JSON of the wrong shape, protobuf, oversized bodies (declared and streamed), a
// gzip bomb, nesting deep enough to overflow a recursive walker, foreign Host headers, wrong methods and
// paths, uploads cut mid-body. Each is refused with its status, and after each the daemon still answers
// daemon.info and its service still runs (ApiDaemon.assertServing); the receiver counts the refusals.
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, postJson } from '../core/usage/otlp-fixtures.js';
import { ApiDaemon } from './api-daemon.js';

const d = new ApiDaemon();
const CASE_MS = 120_000;
let endpoint = '';

beforeAll(async () => {
  await d.start();
  endpoint = (await d.withClient((c) => c.call('usage.receiver', {}))).endpoint!;
}, 120_000);
afterAll(() => d.stop());

const json = { 'content-type': 'application/json' };

/** Writes a request on a raw socket (a client that goes on sending after the answer) and reads the answer. */
function raw(head: string, chunks: string[] = []): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(endpoint).port), '127.0.0.1');
    let answer = '';
    const done = (): void => resolve(answer);
    socket.on('data', (c) => {
      answer += c.toString('latin1');
      if (/\r\n\r\n\{.*\}$/s.test(answer)) socket.destroy(); // a whole answer: its head and JSON body
    });
    socket.on('close', done);
    socket.on('error', done); // EPIPE/ECONNRESET once the receiver closes on us: the answer is what counts
    socket.write(head, 'latin1');
    let i = 0;
    const next = (): void => {
      if (i >= chunks.length || socket.destroyed) return;
      socket.write(chunks[i++]!, 'latin1', () => setImmediate(next));
    };
    next();
    setTimeout(() => socket.destroy(), 5000).unref();
  });
}

describe('the OTLP receiver under hostile input', () => {
  it(
    'refuses bodies that are not OTLP JSON, and the daemon still answers',
    async () => {
      const garbage = await post(endpoint, '/v1/metrics', Buffer.from([0xff, 0x00, 0x7b, 0x22, 0x9c]), json);
      expect(garbage.status).toBe(400);
      expect(JSON.parse(garbage.body)).toMatchObject({ code: 3, message: 'the body is not JSON' });
      const shape = await postJson(endpoint, '/v1/metrics', { resourceMetrics: 'all of them' });
      expect(shape.status).toBe(400);
      const logs = await postJson(endpoint, '/v1/logs', {
        resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: 7 }] }] }],
      });
      expect(logs.status).toBe(400);
      expect((await postJson(endpoint, '/v1/metrics', null)).status).toBe(400);
      await d.assertServing();
    },
    CASE_MS,
  );

  it(
    'answers protobuf with 415 naming http/json',
    async () => {
      const proto = await post(endpoint, '/v1/metrics', Buffer.from([0x0a, 0x02, 0x08, 0x01]), {
        'content-type': 'application/x-protobuf',
      });
      expect(proto.status).toBe(415);
      expect(JSON.parse(proto.body).message).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL=http\/json/);
      await d.assertServing();
    },
    CASE_MS,
  );

  it(
    'refuses oversized bodies, declared or streamed, and a gzip bomb',
    async () => {
      const declared = await raw(
        'POST /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
          `content-length: ${5 * 1024 * 1024}\r\n\r\n{"resourceMetrics":[`,
      );
      expect(declared).toMatch(/^HTTP\/1\.1 413/);
      // streamed in chunks without a length: refused once it passes the bound
      const chunk = Buffer.alloc(256 * 1024, 0x20).toString('latin1');
      const streamed = await raw(
        'POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n',
        Array.from({ length: 24 }, () => `${(256 * 1024).toString(16)}\r\n${chunk}\r\n`),
      );
      expect(streamed).toMatch(/^HTTP\/1\.1 413/);
      const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
      expect(bomb.length).toBeLessThan(1024 * 1024);
      const gz = await post(endpoint, '/v1/metrics', bomb, { ...json, 'content-encoding': 'gzip' });
      expect(gz.status).toBe(400);
      await d.assertServing();
    },
    CASE_MS,
  );

  it(
    'survives nesting deep enough to overflow a recursive walker',
    async () => {
      const depth = 100_000; // about 2.9 MB, under the bound
      const deep = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${'{"arrayValue":{"values":['.repeat(depth)}${']}}'.repeat(depth)}}]}]}]}`;
      const answer = await post(endpoint, '/v1/logs', deep, json);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).message).toMatch(/too deeply|not JSON/);
      await d.assertServing();
    },
    CASE_MS,
  );

  it(
    'refuses foreign hosts, wrong methods and paths, and cut uploads',
    async () => {
      const foreign = await post(endpoint, '/v1/metrics', '{}', { ...json, host: 'evil.example:80' });
      expect(foreign.status).toBe(403);
      expect((await post(endpoint, '/v1/traces', '{}', json)).status).toBe(404);
      const cut = await new Promise<void>((resolve) => {
        const socket = connect(Number(new URL(endpoint).port), '127.0.0.1', () => {
          socket.write(
            'POST /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"resou',
          );
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
        socket.on('error', () => resolve());
      });
      expect(cut).toBeUndefined();
      const info = await d.withClient((c) => c.call('usage.receiver', {}));
      expect(info.refused).toBeGreaterThanOrEqual(10);
      expect(info.counted).toBe(0);
      await d.assertServing();
    },
    CASE_MS,
  );
});
