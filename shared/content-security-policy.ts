// The Content-Security-Policy of DevMesh's page, stated once. Both faces that serve the page send it as a
// header: the app's app:// handler (main/electron/app-protocol.ts) and the daemon's loopback server
// (main/api/api-server.ts). renderer/index.html carries no meta tag, so no second policy can drift from this one.
//
// Scripts come only from the page's own origin (no inline script, no eval): a log line or a service name
// can never run code. connect-src 'self' covers the browser UI's WebSocket to its own host and port (CSP
// Level 3 lets 'self' match ws:/wss: of the page's host); the app's page talks to the core over IPC only.
// Inline styles stay allowed: React's style props and xterm.js set them.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
