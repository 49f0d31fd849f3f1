// The loopback WebSocket protocol's names and limits (the messages' schemas are in shared/wire.ts): zod-free,
// so a client can open a connection without loading zod.
export const WIRE_PROTOCOL = 'devmesh.v1';
export const TOKEN_PROTOCOL_PREFIX = 'devmesh-token.';
/** Messages above this get a MESSAGE_TOO_LARGE error; far larger frames close the socket (1009). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
