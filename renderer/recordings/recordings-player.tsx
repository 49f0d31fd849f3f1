// The player of the Recordings view: loads one recording (recordings.read), replays it into a read-only xterm
// screen sized as it was recorded, with play/pause, 1× / 2× / instant, restart, the time played out of the
// total (as recorded: the length the list shows, though the replay shortens idle gaps), and Export (the
// .cast file as downloaded). The screen and the player live outside React state; only their state, speed
// and position are read here.
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { RecordingInfo } from '../../shared/terminal.js';
import { parseAsciicast } from './asciicast.js';
import { downloadCast } from './download-cast.js';
import { browserClock, IDLE_LIMIT_MS, RecordingPlayer, type PlaybackSpeed } from './recording-player.js';
import { RecordingScreen } from './recording-screen.js';
import { useApp } from '../shell/app-context.js';

/** 0:07, 12:03, 1:02:09 */
export function formatPlayTime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const SPEEDS: { speed: PlaybackSpeed; label: string; id: string }[] = [
  { speed: 1, label: '1×', id: '1x' },
  { speed: 2, label: '2×', id: '2x' },
  { speed: 'instant', label: 'Instant', id: 'instant' },
];

interface Loaded {
  cast: string;
  player: RecordingPlayer;
  screen: RecordingScreen;
}

export function RecordingsPlayer({ info }: { info: RecordingInfo }) {
  const { client } = useApp();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    let made: Loaded | null = null;
    client.call('recordings.read', { id: info.id }).then(
      ({ cast }) => {
        if (!live) return;
        try {
          const parsed = parseAsciicast(cast);
          const screen = new RecordingScreen(parsed.width, parsed.height);
          const player = new RecordingPlayer({ cast: parsed, sink: screen, clock: browserClock });
          made = { cast, player, screen };
          setLoaded(made);
        } catch (err) {
          setError(err instanceof Error ? err.message : String(err));
        }
      },
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
      made?.player.dispose();
      made?.screen.dispose();
    };
  }, [client, info.id]);

  return (
    <section className="recordings-player" data-testid="recording-player" data-recording-id={info.id}>
      <div className="recording-title">
        <strong>{info.name}</strong> <code>{info.command}</code>
      </div>
      {error !== null ? (
        <div className="banner banner-warn" role="alert" data-testid="recording-load-error">
          Could not replay {info.name}: {error}
        </div>
      ) : loaded === null ? (
        <div className="empty">Loading the recording…</div>
      ) : (
        <LoadedPlayer info={info} loaded={loaded} />
      )}
    </section>
  );
}

function LoadedPlayer({ info, loaded }: { info: RecordingInfo; loaded: Loaded }) {
  const { player, screen, cast } = loaded;
  const host = useRef<HTMLDivElement>(null);
  const state = useSyncExternalStore(
    (cb) => player.onDidChange(cb),
    () => player.state,
  );
  const speed = useSyncExternalStore(
    (cb) => player.onDidChange(cb),
    () => player.speed,
  );
  const [position, setPosition] = useState(0);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const detach = screen.attach(el);
    // Read-only hook for the e2e test and for debugging from the console: what the player's screen shows.
    const hook = { id: () => info.id, state: () => player.state, text: () => screen.text() };
    (globalThis as Record<string, unknown>)['__devmeshRecordings'] = hook;
    player.play();
    return () => {
      detach();
      const g = globalThis as Record<string, unknown>;
      if (g['__devmeshRecordings'] === hook) delete g['__devmeshRecordings'];
    };
  }, [player, screen, info.id]);

  // The position is read on a timer while playing (events can be seconds apart); React never sees the bytes.
  useEffect(() => {
    setPosition(player.position());
    if (state !== 'playing') return;
    const timer = setInterval(() => setPosition(player.position()), 200);
    return () => clearInterval(timer);
  }, [player, state]);

  const total = player.durationMs;
  return (
    <>
      <div className="recording-controls" data-testid="recording-controls">
        <button
          type="button"
          className="btn"
          data-testid="recording-play"
          onClick={() => (state === 'playing' ? player.pause() : player.play())}
        >
          {state === 'playing' ? 'Pause' : state === 'ended' ? 'Replay' : 'Play'}
        </button>
        <button type="button" className="btn" data-testid="recording-restart" onClick={() => player.restart()}>
          Restart
        </button>
        <div className="recording-speeds" role="group" aria-label="Speed">
          {SPEEDS.map((s) => (
            <button
              key={s.id}
              type="button"
              className={s.speed === speed ? 'btn active' : 'btn'}
              aria-pressed={s.speed === speed}
              data-testid={`recording-speed-${s.id}`}
              onClick={() => player.setSpeed(s.speed)}
            >
              {s.label}
            </button>
          ))}
        </div>
        <progress className="recording-progress" max={Math.max(total, 1)} value={total === 0 ? 1 : position} />
        <span
          className="recording-time"
          data-testid="recording-time"
          data-state={state}
          title={
            player.replayMs < total
              ? `Idle gaps over ${IDLE_LIMIT_MS / 1000} s are shortened: the replay takes ${formatPlayTime(player.replayMs)} at 1×`
              : undefined
          }
        >
          {formatPlayTime(position)} / {formatPlayTime(total)}
        </span>
        <div className="spacer" />
        <button
          type="button"
          className="btn"
          data-testid="recording-export"
          onClick={() => downloadCast(info.name, info.id, cast)}
        >
          Export .cast
        </button>
      </div>
      <div className="recording-screen" ref={host} data-testid="recording-screen" />
    </>
  );
}
