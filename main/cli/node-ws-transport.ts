// The devmesh.v1 protocol's frames over Node's `ws` (the CLI and the MCP server): opens one authenticated
// socket to the daemon and adapts it to shared/protocol-client.ts's FrameConnection. A refused upgrade is
// read as the daemon's JSON `{code, message}` and becomes that DevMeshError.
import { WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import { DevMeshError } from '../../shared/devmesh-error.js';
import type { ErrorCode } from '../../shared/errors.js';
import type {
  ConnectionLoss,
  FrameConnection,
  FrameHandlers,
  ProtocolSchemas,
  SafeParser,
} from '../../shared/protocol-client.js';
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../shared/wire-protocol.js';

export const NOT_RUNNING_MESSAGE = 'DevMesh is not running: start it with `npx devmesh up` (or open the DevMesh app)';

export interface NodeWsOpenOptions {
  url: string;
  /** null: connect without one (the daemon refuses, and writes its token file back) */
  token: string | null;
  connectTimeoutMs: number;
  /** the response header whose value tells whether the daemon was built from this contract */
  contractHeader: string;
  contractFingerprint: string | null;
  /** the schema of a refused upgrade's body, loaded only then */
  errorInfo: () => Promise<SafeParser>;
}

export interface NodeWsOpened {
  connection: FrameConnection;
  /** the daemon was built from this CLI's contract: its messages need no second check */
  sameContract: boolean;
}

/** Opens one socket; rejects with DAEMON_NOT_RUNNING, TIMEOUT or the daemon's refusal. */
export function openNodeWs(options: NodeWsOpenOptions): Promise<NodeWsOpened> {
  const { url, token, connectTimeoutMs } = options;
  return new Promise((resolve, reject) => {
    const protocols = token === null ? [WIRE_PROTOCOL] : [WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`];
    const socket = new WebSocket(url, protocols, {
      handshakeTimeout: connectTimeoutMs,
      perMessageDeflate: false,
      maxPayload: 256 * 1024 * 1024,
    });
    let settled = false;
    let sameContract = false;
    socket.once('upgrade', (res) => {
      sameContract =
        options.contractFingerprint !== null && res.headers[options.contractHeader] === options.contractFingerprint;
    });
    const settle = (err: DevMeshError | null): void => {
      if (settled) return;
      settled = true;
      if (err === null) {
        socket.off('error', onError);
        // Listening at once: a close before the client attaches is kept for it (the daemon sends nothing unasked).
        resolve({ connection: new NodeWsConnection(socket), sameContract });
      } else {
        // onError stays attached: terminating a connecting socket emits one more 'error', already settled.
        socket.terminate();
        reject(err);
      }
    };
    const onError = (err: NodeJS.ErrnoException): void => settle(connectError(url, err, connectTimeoutMs));
    socket.on('error', onError);
    socket.once('open', () => settle(null));
    socket.once('unexpected-response', (_req, res) => {
      readRejection(res, options.errorInfo)
        .then((info) => settle(new DevMeshError(info.code, `${info.message} (${url})`)))
        .catch((err: unknown) =>
          settle(
            new DevMeshError(
              'INTERNAL',
              `the DevMesh daemon at ${url} refused the connection: ${(err as Error).message}`,
            ),
          ),
        );
    });
  });
}

/** An open `ws` socket as a FrameConnection; frames and the loss are kept until attach(). */
class NodeWsConnection implements FrameConnection {
  schemas?: ProtocolSchemas | null;
  private handlers: FrameHandlers | null = null;
  private readonly early: string[] = [];
  private loss: ConnectionLoss | null = null;

  constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const text = data.toString();
      if (this.handlers) this.handlers.frame(text);
      else this.early.push(text);
    });
    socket.on('close', (code, reason) => this.lost({ code, reason: reason.toString('utf8') }));
    socket.on('error', (err) => this.lost({ code: 1006, reason: err.message, failed: true }));
  }

  attach(handlers: FrameHandlers): void {
    this.handlers = handlers;
    for (const frame of this.early.splice(0)) handlers.frame(frame);
    if (this.loss) handlers.closed(this.loss);
  }

  send(frame: string, failed: (err: Error) => void): void {
    this.socket.send(frame, (err) => {
      if (err) failed(err);
    });
  }

  close(): Promise<void> {
    if (this.socket.readyState === this.socket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.socket.terminate(), 1_000);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.close(1000, 'bye');
    });
  }

  private lost(loss: ConnectionLoss): void {
    if (this.loss) return;
    this.loss = loss;
    this.handlers?.closed(loss);
  }
}

function connectError(url: string, err: NodeJS.ErrnoException, timeoutMs: number): DevMeshError {
  if (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET')
    return new DevMeshError('DAEMON_NOT_RUNNING', NOT_RUNNING_MESSAGE);
  if (/timed out/i.test(err.message)) {
    return new DevMeshError(
      'TIMEOUT',
      `DevMesh at ${url} did not answer within ${Math.round(timeoutMs / 1000)}s; it may be busy or stuck: ` +
        'check $DEVMESH_HOME/logs/daemon.log',
    );
  }
  return new DevMeshError(
    'DAEMON_NOT_RUNNING',
    `could not reach DevMesh at ${url}: ${err.message}; start it with \`npx devmesh up\``,
  );
}

/** The daemon explains a refused upgrade as JSON `{code, message}`; anything else becomes a generic error. */
function readRejection(
  res: IncomingMessage,
  errorInfo: () => Promise<SafeParser>,
): Promise<{ code: ErrorCode; message: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 64 * 1024) chunks.push(chunk);
    });
    res.on('error', reject);
    res.on('end', () => {
      const fallback = {
        code: 'INTERNAL' as ErrorCode,
        message: `DevMesh refused the connection with HTTP ${res.statusCode ?? '?'}`,
      };
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        return resolve({ ...fallback, message: `${fallback.message} (${(err as Error).message})` });
      }
      errorInfo().then((schema) => {
        const parsed = schema.safeParse(body);
        resolve(parsed.success ? (parsed.data as { code: ErrorCode; message: string }) : fallback);
      }, reject);
    });
  });
}
