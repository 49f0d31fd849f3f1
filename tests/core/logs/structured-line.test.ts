// JSON lines of the common loggers read for level, message and fields; plain lines keep their text with a
// level from a level word or their stream.
import { describe, expect, it } from 'vitest';
import { parseLine } from '../../../main/core/logs/structured-line.js';

describe('parseLine', () => {
  it('reads pino and bunyan lines (numeric levels, time and v left out)', () => {
    const pino = '{"level":40,"time":1700000000000,"pid":7,"hostname":"box","msg":"slow query","ms":812}';
    expect(parseLine(pino, 'stdout')).toEqual({
      level: 40,
      msg: 'slow query',
      fields: { pid: 7, hostname: 'box', ms: 812 },
    });
    const bunyan = '{"name":"api","hostname":"b","pid":1,"level":50,"msg":"boom","time":"2024-01-01T00:00:00Z","v":0}';
    expect(parseLine(bunyan, 'stdout')).toMatchObject({ level: 50, msg: 'boom', fields: { name: 'api' } });
  });

  it('reads zap, structlog, winston and Python JSON logging lines (level names)', () => {
    const zap = '{"level":"warn","ts":1700000000.1,"caller":"main.go:12","msg":"retrying","user.id":42}';
    expect(parseLine(zap, 'stderr')).toEqual({
      level: 40,
      msg: 'retrying',
      fields: { caller: 'main.go:12', 'user.id': 42 },
    });
    const structlog = '{"event":"user logged in","level":"info","timestamp":"2024-01-01T00:00:00Z","user":"ann"}';
    expect(parseLine(structlog, 'stdout')).toEqual({ level: 30, msg: 'user logged in', fields: { user: 'ann' } });
    expect(parseLine('{"message":"disk low","level":"error"}', 'stdout')).toEqual({ level: 50, msg: 'disk low' });
    expect(parseLine('{"levelname":"CRITICAL","message":"down"}', 'stdout')).toEqual({ level: 60, msg: 'down' });
    expect(parseLine('{"severity":"DEBUG","msg":"x"}', 'stdout').level).toBe(20);
  });

  it('keeps JSON without a level or message, and broken JSON, as plain lines', () => {
    expect(parseLine('{"a":1}', 'stdout')).toEqual({ level: null });
    expect(parseLine('{not json', 'stderr')).toEqual({ level: 40 });
    expect(parseLine('[1,2]', 'stdout')).toEqual({ level: null });
  });

  it('guesses a plain line level from a level word near its start, else from its stream', () => {
    expect(parseLine('2024-01-01 12:00:00 ERROR cannot connect', 'stdout').level).toBe(50);
    expect(parseLine('[warn] cache cold', 'stdout').level).toBe(40);
    expect(parseLine('time=1 level=debug msg=hi', 'stdout').level).toBe(20);
    expect(parseLine('npm ERR! code E404', 'stderr').level).toBe(50);
    expect(parseLine('INFO: Started server process', 'stderr').level).toBe(30);
    expect(parseLine('Traceback (most recent call last):', 'stderr').level).toBe(40);
    expect(parseLine('Error handling is on', 'stdout').level).toBeNull(); // a sentence, not a level word
    expect(parseLine('started: pid 12', 'system').level).toBe(30);
  });
});
