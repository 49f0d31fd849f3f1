// The `messages` channel's frames (team frames `{ t: 'team', ch: 'messages', m }`):
// - `msg`: a message for the receiving machine, `to` as that machine resolves it (an agent's id or name,
//   `user`, `*`, `@role`); `id` is given at the origin and never changes, so a re-send is recognized;
// - `ack`: the receiver has it (stored now or before), or `refused` says why it will never store it (no such
//   agent there). The sender deletes its outbox row on either; nothing else removes one.
// Delivery: at-least-once on the wire (the outbox re-sends what is not acknowledged on every new link, and
// after a silence), deduplicated by id in the receiver's store (a unique index): exactly once in the store.
import { z } from 'zod';
import { MESSAGE_MAX_BYTES, MessagePartySchema } from '../../../shared/message.js';

export const MESSAGES_CHANNEL = 'messages';

export const MessageIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9:._-]{7,99}$/, 'a message id (a UUID)');

const SenderSchema = z
  .object({
    /** the sender on its machine: an agent id, `user` or `devmesh` */
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/),
    name: z.string().min(1).max(128),
  })
  .strict();

export const MessagePostFrameSchema = z
  .object({
    k: z.literal('msg'),
    id: MessageIdSchema,
    from: SenderSchema,
    to: MessagePartySchema,
    body: z.string().min(1).max(MESSAGE_MAX_BYTES),
    task: z
      .string()
      .regex(/^task-[a-z0-9]{4,32}$/)
      .nullable(),
    /** when it was written, ms since the epoch, on the sender's clock */
    ts: z.number().int().min(0),
  })
  .strict();
export type MessagePostFrame = z.infer<typeof MessagePostFrameSchema>;

export const MessageAckFrameSchema = z
  .object({
    k: z.literal('ack'),
    id: MessageIdSchema,
    /** why the receiver will never store it (what, where, how to fix), for the sender */
    refused: z.string().min(1).max(2000).optional(),
  })
  .strict();
export type MessageAckFrame = z.infer<typeof MessageAckFrameSchema>;

export const MessageFrameSchema = z.discriminatedUnion('k', [MessagePostFrameSchema, MessageAckFrameSchema]);
export type MessageFrame = z.infer<typeof MessageFrameSchema>;
