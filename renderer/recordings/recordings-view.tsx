// The Recordings view: every recorded terminal session (newest first) beside a player for the selected one.
// The list is fetched when the view opens and again whenever a session starts or exits (a new recording, or
// one that just got its length). Loaded as its own chunk, which shares xterm with the Terminals view's.
import { useCallback, useEffect, useState } from 'react';
import type { RecordingInfo } from '../../shared/terminal.js';
import { useApp } from '../shell/app-context.js';
import { formatBytes } from '../common/format-traffic.js';
import { formatClock } from '../common/format-time.js';
import { RecordingsPlayer, formatPlayTime } from './recordings-player.js';
import '@xterm/xterm/css/xterm.css';
import '../styles/recordings.css';

export function RecordingsView() {
  const { client } = useApp();
  const [list, setList] = useState<RecordingInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  const refresh = useCallback(() => {
    client.call('recordings.list', {}).then(
      (items) => {
        setList([...items].sort((a, b) => b.startedAt - a.startedAt));
        setError(null);
      },
      (err: unknown) => setError(`Could not list the recordings: ${err instanceof Error ? err.message : String(err)}`),
    );
  }, [client]);

  useEffect(() => {
    refresh();
    return client.onEvent((event) => {
      if (event.type === 'terminal.exited' || event.type === 'terminal.started') refresh();
    });
  }, [client, refresh]);

  const info = list?.find((r) => r.id === selected) ?? null;
  return (
    <div className="recordings-view" data-testid="recordings-view">
      {error !== null && (
        <div className="banner banner-warn" role="alert" data-testid="recordings-error">
          {error}
        </div>
      )}
      <div className="recordings-body">
        <section className="recordings-list">
          <div className="recordings-list-head">
            <h2>Recordings</h2>
            <button type="button" className="btn" onClick={refresh} data-testid="recordings-refresh">
              Refresh
            </button>
          </div>
          {list === null ? (
            <div className="empty">Loading the recordings…</div>
          ) : list.length === 0 ? (
            <div className="empty" data-testid="recordings-empty">
              No recordings yet: every terminal opened in DevMesh is recorded, and shows up here.
            </div>
          ) : (
            <table className="recordings-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Command</th>
                  <th>Started</th>
                  <th>Length</th>
                  <th>Size</th>
                </tr>
              </thead>
              <tbody>
                {list.map((r) => (
                  <tr
                    key={r.id}
                    className={r.id === selected ? 'recording-row selected' : 'recording-row'}
                    data-testid={`recording-row-${r.id}`}
                    data-terminal-id={r.terminalId}
                    aria-selected={r.id === selected}
                    tabIndex={0}
                    onClick={() => setSelected(r.id)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') setSelected(r.id);
                    }}
                  >
                    <td className="recording-name">{r.name}</td>
                    <td className="recording-command" title={r.command}>
                      <code>{r.command}</code>
                    </td>
                    <td title={new Date(r.startedAt).toLocaleString()}>{formatClock(r.startedAt).slice(0, 8)}</td>
                    <td>
                      {r.durationMs === null ? (
                        <span className="recording-live">recording</span>
                      ) : (
                        formatPlayTime(r.durationMs)
                      )}
                    </td>
                    <td>{formatBytes(r.bytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        {info === null ? (
          <section className="recordings-player">
            <div className="empty">Pick a recording to replay it.</div>
          </section>
        ) : (
          <RecordingsPlayer key={info.id} info={info} />
        )}
      </div>
    </div>
  );
}
