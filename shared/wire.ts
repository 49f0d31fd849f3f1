// The loopback WebSocket protocol (CLI, browser UI, MCP server). JSON text frames.
// client → daemon: call | subscribe | unsubscribe;  daemon → client: result | event | end.
// Authentication happens in the upgrade: subprotocols `devmesh.v1` and `devmesh-token.<token>`.
import { z } from 'zod';
import { ErrorInfoSchema } from './errors.js';

// The protocol's names and limits, zod-free for the CLI's start path (shared/wire-protocol.ts).
export { MAX_MESSAGE_BYTES, TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from './wire-protocol.js';

const Id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call'), id: Id, method: z.string().max(64), input: z.unknown().optional() }),
  z.object({ type: z.literal('subscribe'), id: Id, topic: z.string().max(64), params: z.unknown().optional() }),
  z.object({ type: z.literal('unsubscribe'), id: Id }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export const ServerMessageSchema = z.union([
  /** answer to call/subscribe/unsubscribe with the same id; id null when the request could not be parsed */
  z.object({ type: z.literal('result'), id: Id.nullable(), ok: z.literal(true), value: z.unknown() }),
  z.object({ type: z.literal('result'), id: Id.nullable(), ok: z.literal(false), error: ErrorInfoSchema }),
  /** an item of the subscription opened with id `sub` */
  z.object({ type: z.literal('event'), sub: Id, data: z.unknown() }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
