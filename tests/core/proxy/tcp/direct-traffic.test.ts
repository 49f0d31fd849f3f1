// DirectTraffic: the kernel's view of a lent stable address (`ss -ti` output) turned into the counters the
// TCP rows show, and kept when the address returns to the forwarder (TcpCounters.endDirect).
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DirectTraffic, parseSs, type SocketBytes } from '../../../../main/core/proxy/tcp/direct-traffic.js';
import { TcpCounters } from '../../../../main/core/proxy/tcp/tcp-counters.js';

// `ss -tinH state established '( sport = :15432 )'` on iproute2 6.1, two clients (trimmed)
const SS = [
  '0      0      127.0.0.1:15432 127.0.0.1:58398',
  '\t bbr wscale:10,10 rto:204 rtt:0.029/0.016 cwnd:11 bytes_sent:300 bytes_acked:300 bytes_received:1000 segs_out:2',
  '0      0      [::ffff:127.0.0.1]:15432 [::ffff:127.0.0.1]:58400',
  '\t cubic wscale:7,7 rto:204 bytes_sent:70 bytes_received:12 segs_out:2',
  '',
].join('\n');

describe('parseSs', () => {
  it('reads each socket with the bytes it received and the bytes its client acknowledged', () => {
    expect(parseSs(SS)).toEqual([
      { key: '127.0.0.1:15432 127.0.0.1:58398', bytesIn: 1000, bytesOut: 300 },
      { key: '[::ffff:127.0.0.1]:15432 [::ffff:127.0.0.1]:58400', bytesIn: 12, bytesOut: 70 },
    ]);
  });

  it('reads the same with the state column (a listing of every state) and nothing from garbage', () => {
    const withState = SS.split('\n')
      .map((l) => (l.startsWith('0') ? `ESTAB ${l}` : l))
      .join('\n');
    expect(parseSs(withState).map((s) => s.bytesIn)).toEqual([1000, 12]);
    expect(parseSs('\tbytes_received:5\nnonsense\n')).toEqual([]);
  });
});

describe('DirectTraffic', () => {
  it('counts a socket once, keeps the bytes of closed ones, and hands them to the counters when it ends', async () => {
    const samples: SocketBytes[][] = [
      [{ key: 'a', bytesIn: 10, bytesOut: 5 }],
      [
        { key: 'a', bytesIn: 20, bytesOut: 8 },
        { key: 'b', bytesIn: 1, bytesOut: 1 },
      ],
      [{ key: 'b', bytesIn: 3, bytesOut: 2 }],
    ];
    const direct = new DirectTraffic({
      port: 1,
      logger: pino({ level: 'silent' }),
      intervalMs: 3_600_000,
      sample: async () => samples.shift() ?? null,
    });
    const counters = new TcpCounters();
    counters.watchDirect(direct); // starts it: the first sample
    await new Promise((r) => setImmediate(r));
    await direct.tick();
    await direct.tick();
    expect(counters.snapshot()).toMatchObject({ connections: 1, totalConnections: 2, bytesIn: 23, bytesOut: 10 });
    counters.endDirect();
    expect(counters.snapshot()).toMatchObject({ connections: 0, totalConnections: 2, bytesIn: 23, bytesOut: 10 });
  });
});
