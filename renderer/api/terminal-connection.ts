// How a terminal view reaches one session's stream (shared/terminal.ts), whatever carries it: the daemon's
// WebSocket in a browser (WebSocketTerminalConnector), a MessagePort from the app's main process in Electron
// (PortTerminalConnector). TerminalStream speaks the protocol over any of them; a connector makes one
// connection per attempt, and a dropped one is replaced by a new attempt.

/** What a connection reports to the stream that opened it. */
export interface TerminalConnectionHandlers {
  /** one message: a string is a JSON control message, an ArrayBuffer or a view of one is output bytes */
  message(data: unknown): void;
  /** the connection is gone (may be reported more than once; the stream keeps the first) */
  closed(why: string): void;
  warn(message: string): void;
  /** false once the stream no longer wants this connection (disposed while it was being opened) */
  wanted(): boolean;
}

export interface TerminalConnection {
  /** true while a message sent now can reach the other side */
  readonly open: boolean;
  /** a JSON TerminalClientMessage */
  send(json: string): void;
  close(reason: string): void;
}

export interface TerminalConnector {
  /** Opens a connection; rejects with a message that says why it could not. A connection the stream no
   *  longer wants (handlers.wanted()) may still be returned: the stream closes it. */
  connect(handlers: TerminalConnectionHandlers): Promise<TerminalConnection>;
}
