// Recordings (asciicast v2 on disk, listed after a restart) and the output pipeline's pieces: the UTF-8
// batcher at chunk edges and the bounded ring.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OutputBatcher } from '../../../main/core/terminals/output-batcher.js';
import { OutputRing } from '../../../main/core/terminals/output-ring.js';
import { RecordingStore } from '../../../main/core/terminals/recording-store.js';
import { RecordingViewer, TerminalHarness, waitFor } from './terminal-harness.js';

let h: TerminalHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

describe('recordings', () => {
  it('writes asciicast v2 whose output events concatenate to what was emitted, and lists it after a restart', async () => {
    h = new TerminalHarness();
    const t = h.create({
      command: '/bin/bash',
      args: ['-c', 'printf "one\\n"; sleep 0.05; printf "two ✓\\n"; exit 0'],
      cwd: h.dir,
      cols: 90,
      rows: 30,
      name: 'demo',
    });
    expect(t.recording).toBe(t.id);
    const v = new RecordingViewer().attach(h.manager, t.id);
    await waitFor(() => v.exitInfo !== null, 5000);
    const cast = h.manager.recordings.read(t.id);
    const [headerLine, ...eventLines] = cast.trimEnd().split('\n');
    const header = JSON.parse(headerLine!);
    expect(header).toMatchObject({ version: 2, width: 90, height: 30, title: 'demo', env: { TERM: 'xterm-256color' } });
    expect(typeof header.timestamp).toBe('number');
    expect(header.command).toContain('/bin/bash -c');
    const events = eventLines.map((l) => JSON.parse(l) as [number, string, string]);
    let last = 0;
    for (const [time, code, data] of events) {
      expect(code).toBe('o');
      expect(typeof data).toBe('string');
      expect(time).toBeGreaterThanOrEqual(last);
      last = time;
    }
    expect(events.map((e) => e[2]).join('')).toBe(v.text);
    expect(v.text).toBe('one\r\ntwo ✓\r\n');

    // A fresh store over the same folder (a restarted daemon) lists it from the file alone.
    const listed = new RecordingStore(join(h.dir, 'recordings')).list();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: t.id, terminalId: t.id, name: 'demo', cols: 90, rows: 30 });
    expect(listed[0]!.durationMs).toBeGreaterThanOrEqual(40);
    expect(listed[0]!.bytes).toBe(Buffer.byteLength(cast));
  });

  it('records resizes as "r" events, reports a running one without duration, and refuses oversized reads', async () => {
    h = new TerminalHarness();
    const { terminal: t } = await h.promptedBash();
    h.manager.resize(t.id, 100, 50);
    expect(h.manager.recordings.list()[0]).toMatchObject({ id: t.id, durationMs: null });
    const events = h.manager.recordings
      .read(t.id)
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l));
    expect(events.at(-1)).toEqual([expect.any(Number), 'r', '100x50']);
    expect(() => h!.manager.recordings.read(t.id, 10)).toThrow(/over the 10-byte limit.*\.cast/);
    expect(() => h!.manager.recordings.read('nope')).toThrow(/no recording 'nope'/);
    expect(() => h!.manager.recordings.read('../etc')).toThrow(/not a recording id/);
  });

  it('skips files that are not asciicast v2', () => {
    h = new TerminalHarness();
    const dir = join(h.dir, 'junk');
    const store = new RecordingStore(dir);
    expect(store.list()).toEqual([]);
    mkdirSync(dir);
    writeFileSync(join(dir, 'bad.cast'), 'not json\n');
    writeFileSync(join(dir, 'good.cast'), JSON.stringify({ version: 2, width: 80, height: 24, timestamp: 1 }) + '\n');
    appendFileSync(join(dir, 'good.cast'), '[1.5, "o", "x"]\n');
    expect(store.list().map((r) => [r.id, r.durationMs])).toEqual([['good', 1500]]);
  });
});

describe('OutputBatcher', () => {
  it('never splits a UTF-8 character, whatever the chunk edges', () => {
    const text = 'a€😀é'.repeat(50);
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 5, 7]) {
      const out: string[] = [];
      const b = new OutputBatcher({ batchMs: 5, batchBytes: 4 }, (t) => out.push(t));
      for (let i = 0; i < bytes.length; i += size) b.push(bytes.subarray(i, i + size));
      b.end();
      expect(out.join('')).toBe(text);
      for (const piece of out) expect(piece).not.toContain('\ufffd');
    }
  });

  it('sends output after a quiet spell at once (a keystroke echo), then batches by time and by size', async () => {
    const out: [string, number][] = [];
    const b = new OutputBatcher({ batchMs: 5, batchBytes: 1000 }, (t, n) => out.push([t, n]));
    // Keystroke echoes, however fast: each goes at once.
    b.push(Buffer.from('k'));
    b.push(Buffer.from('l'));
    expect(out).toEqual([
      ['k', 1],
      ['l', 1],
    ]);
    // Bulk output after a bulk batch waits for the batch window.
    const bulk = 'b'.repeat(300);
    b.push(Buffer.from(bulk));
    b.push(Buffer.from(bulk));
    b.push(Buffer.from('c'));
    expect(out.length).toBe(3);
    await new Promise((r) => setTimeout(r, 20));
    expect(out[3]).toEqual([`${bulk}c`, 301]);
    // And a full batch goes without waiting.
    b.push(Buffer.from('x'.repeat(1200)));
    expect(out[4]![1]).toBe(1200);
    b.dispose();
  });

  it('lets go of the output it drops, so a flood keeps only its budget reachable', () => {
    const ring = new OutputRing(64 * 1024);
    const batch = 'x'.repeat(16 * 1024);
    for (let i = 0; i < 100; i++) ring.append(batch);
    const held = (ring as unknown as { chunks: string[] }).chunks.reduce((n, c) => n + c.length, 0);
    expect(held).toBeLessThanOrEqual(64 * 1024);
  });
});

describe('OutputRing', () => {
  it('stays within its budget and cuts at a line start', () => {
    const ring = new OutputRing(1000);
    for (let i = 0; i < 200; i++) ring.append(`line ${i} ${'é'.repeat(10)}\r\n`);
    expect(ring.size).toBeLessThanOrEqual(1000);
    const kept = ring.snapshot();
    expect(Buffer.byteLength(kept)).toBe(ring.size);
    expect(kept).toMatch(/^line \d+ /);
    expect(kept.endsWith('line 199 éééééééééé\r\n')).toBe(true);
  });

  it('cuts inside one huge batch on a character boundary, and pieces keep surrogate pairs whole', () => {
    const ring = new OutputRing(1001);
    ring.append('😀'.repeat(1000));
    expect(ring.size).toBeLessThanOrEqual(1001);
    const kept = ring.snapshot();
    expect(kept).toBe('😀'.repeat(kept.length / 2));
    for (const piece of ring.pieces(3)) expect(piece).toMatch(/^(😀)+$/u);
  });
});
