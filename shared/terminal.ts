// Embedded terminals: PTY sessions owned by the core (they outlive any window or page), their recordings
// (asciicast v2), and the stream protocol a view speaks to attach to one. Terminal bytes never travel
// through the general API queue: a view attaches to a session's own stream (a WebSocket on the daemon,
// a dedicated channel in the app) and acknowledges what it has rendered, so a flood pauses the PTY.
import { z } from 'zod';
import { ErrorCodeSchema } from './errors.js';

export const TERMINAL_STATES = ['running', 'exited'] as const;
export const TerminalStateSchema = z.enum(TERMINAL_STATES);

const Id = z.string().regex(/^[a-z0-9-]{1,64}$/);
export const TerminalIdSchema = Id;

export const TerminalInfoSchema = z.object({
  id: Id,
  /** shown on the tab: the name given, else the command's base name */
  name: z.string(),
  command: z.string(),
  args: z.array(z.string()),
  cwd: z.string(),
  /** the project whose directory and service URLs it got, null for a plain shell */
  project: z.string().nullable(),
  cols: z.number().int(),
  rows: z.number().int(),
  pid: z.number().int().nullable(),
  state: TerminalStateSchema,
  /** exit code, or null while running or when a signal ended it */
  exitCode: z.number().int().nullable(),
  /** the signal that ended it (`SIGKILL`), or null */
  signal: z.string().nullable(),
  /** why it ended, in words ("exited with code 2", "killed by the user") */
  exitReason: z.string().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /** the recording id when it is being (or was) recorded */
  recording: z.string().nullable(),
  /** why the recording stopped early or never started (a full disk, the size cap), else null */
  recordingNote: z.string().nullable(),
  /** output bytes since it started */
  bytesOut: z.number().int(),
  /** views attached right now */
  viewers: z.number().int(),
  /** the PTY is paused because a view has not acknowledged enough output (flow control) */
  paused: z.boolean(),
});
export type TerminalInfo = z.infer<typeof TerminalInfoSchema>;

export const TerminalCreateInputSchema = z
  .object({
    name: z.string().min(1).max(64).optional(),
    /** default: the user's shell ($SHELL, else /bin/bash, else /bin/sh) */
    command: z.string().min(1).max(4096).optional(),
    args: z.array(z.string().max(4096)).max(256).default([]),
    /** default: the project's root, else the home directory */
    cwd: z.string().min(1).max(4096).optional(),
    project: z.string().min(1).max(4096).optional(),
    env: z.record(z.string().max(256), z.string().max(32_768)).default({}),
    cols: z.number().int().min(2).max(1000).default(80),
    rows: z.number().int().min(1).max(500).default(24),
    record: z.boolean().default(true),
  })
  .strict();
export type TerminalCreateInput = z.input<typeof TerminalCreateInputSchema>;

const TerminalRef = z.object({ id: Id }).strict();
export const TerminalInputSchema = TerminalRef.extend({ data: z.string().max(65_536) }).strict();
export const TerminalResizeSchema = TerminalRef.extend({
  cols: z.number().int().min(2).max(1000),
  rows: z.number().int().min(1).max(500),
}).strict();
export const TERMINAL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL', 'SIGQUIT', 'SIGTSTP', 'SIGCONT'] as const;
export const TerminalSignalSchema = TerminalRef.extend({ signal: z.enum(TERMINAL_SIGNALS) }).strict();
export const TerminalRefSchema = TerminalRef;

export const RecordingInfoSchema = z.object({
  id: Id,
  terminalId: Id,
  name: z.string(),
  command: z.string(),
  startedAt: z.number(),
  /** The recording's length: the time of its last event line as recorded (idle not shortened), in ms; the
   *  player counts to the same. null while the session still runs. */
  durationMs: z.number().nullable(),
  bytes: z.number().int(),
  cols: z.number().int(),
  rows: z.number().int(),
  /** the .cast file (asciicast v2), playable by the stock asciinema player */
  path: z.string(),
});
export type RecordingInfo = z.infer<typeof RecordingInfoSchema>;

/** recordings.read answers with the whole .cast up to this size; larger files are read from their path */
export const RECORDING_READ_MAX_BYTES = 20 * 1024 * 1024;
/** a recording stops at this size (a flooding terminal wrote 50 MB in 17 s), so every one stays playable */
export const RECORDING_MAX_BYTES = RECORDING_READ_MAX_BYTES - 1024 * 1024;
/** the recordings folder is kept under this size: the oldest finished recordings go first */
export const RECORDINGS_KEPT_BYTES = 512 * 1024 * 1024;
export const RecordingReadOutputSchema = z.object({ cast: z.string() });

// ---- the stream a view attaches to (one per view per session) ----
// Daemon: WebSocket `GET /terminals/<id>/stream` on the API server, authenticated like the API.
// Server → view: binary frames are output (UTF-8, never split inside a character); the first binary
// frames after attach are the current screen (replay), then live output. Text frames are JSON control
// messages (TerminalServerMessage). View → server: text frames, JSON TerminalClientMessage.
// Authentication is the API socket's: the subprotocols `devmesh.v1` and `devmesh-token.<token>` (shared/wire.ts),
// the same Host and Origin rules. An unknown id gets {t:'error', code:'TERMINAL_NOT_FOUND'} and a close with
// code TERMINAL_STREAM_CLOSE.notFound. `ack.chars` is a delta: the characters rendered since the last ack.

/** the stream's path on the API server */
export const terminalStreamPath = (id: string): string => `/terminals/${encodeURIComponent(id)}/stream`;
export const TERMINAL_STREAM_PATH_RE = /^\/terminals\/([a-z0-9-]{1,64})\/stream$/;
/** close codes of the stream besides the standard ones (1000 after the exit message, 1001 on shutdown) */
export const TERMINAL_STREAM_CLOSE = { notFound: 4404, removed: 4410 } as const;

export const TerminalClientMessageSchema = z.discriminatedUnion('t', [
  /** `chars` output characters (JS string length) have been rendered (from xterm's write callback) */
  z.object({ t: z.literal('ack'), chars: z.number().int().min(0).max(100_000_000) }),
  z.object({ t: z.literal('input'), data: z.string().max(65_536) }),
  z.object({ t: z.literal('resize'), cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) }),
]);
export type TerminalClientMessage = z.infer<typeof TerminalClientMessageSchema>;

export const TerminalServerMessageSchema = z.discriminatedUnion('t', [
  /** sent first: the session as it is; the replay follows as binary frames, then `live` */
  z.object({ t: z.literal('attached'), info: TerminalInfoSchema }),
  /** the replay is over: what follows is live output */
  z.object({ t: z.literal('live') }),
  z.object({ t: z.literal('exit'), info: TerminalInfoSchema }),
  /** the code is an API error code (shared/errors.ts): the stream answers as the API would */
  z.object({ t: z.literal('error'), code: ErrorCodeSchema, message: z.string() }),
]);
export type TerminalServerMessage = z.infer<typeof TerminalServerMessageSchema>;
/** An error frame whose code may be outside the contract (a newer daemon): read so the view can say so. */
export const TerminalErrorFrameSchema = z.object({
  t: z.literal('error'),
  code: z.string().max(64),
  message: z.string(),
});

/** Flow control on VS Code's figures: batch ~5 ms (TerminalDataBufferer's throttle, in
 *  src/vs/platform/terminal/common/terminalDataBuffering.ts) or 64 KB; pause the PTY above HIGH unacknowledged
 *  characters, resume below LOW (FlowControlConstants' HighWatermarkChars and LowWatermarkChars, in
 *  src/vs/platform/terminal/common/terminal.ts). */
export const TERMINAL_FLOW = { batchMs: 5, batchBytes: 65_536, high: 100_000, low: 5_000 } as const;
/** what a session keeps for views that attach later (a bounded ring of output, replayed on attach) */
export const TERMINAL_RING_BYTES = 2 * 1024 * 1024;

// ---- events ----
export const TerminalEventSchema = z.object({
  type: z.enum(['terminal.started', 'terminal.exited', 'terminal.changed']),
  ts: z.number(),
  info: TerminalInfoSchema,
});
export type TerminalEvent = z.infer<typeof TerminalEventSchema>;
