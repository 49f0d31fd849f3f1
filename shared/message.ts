// Messages between agents (and to and from the human, `user`, in the UI) and the small shared key-value
// state agents keep for each other. Both persist in the store.
import { z } from 'zod';

export const MESSAGE_MAX_BYTES = 16 * 1024;
export const STATE_VALUE_MAX_BYTES = 64 * 1024;

/**
 * an agent id or name, `user` (the human), `*` (everyone on the mesh), `@role` (every agent with that role, on
 * every machine); `name@machine` names an agent (or `user`) on a teammate's machine
 */
export const MessagePartySchema = z
  .string()
  .regex(
    /^(\*|@[A-Za-z0-9][A-Za-z0-9._-]{0,63}|[A-Za-z0-9][A-Za-z0-9._:@-]{0,127})$/,
    "an agent id or name (name@machine for a teammate's), user, @role, or * for everyone",
  );

export const MessageSchema = z.object({
  seq: z.number().int(),
  /** the sender as given (agent names are turned into ids) */
  from: z.string(),
  fromName: z.string(),
  to: z.string(),
  toName: z.string(),
  body: z.string(),
  task: z.string().nullable(),
  ts: z.number(),
  /** its id, given where it was written (a UUID): the same on every machine that stores it */
  id: z.string().nullable().optional(),
  /** the teammate's machine it came from; null: written on this machine */
  fromMachine: z.string().nullable().optional(),
  /** machines it still waits to be delivered to (queued while they are unreachable); 0: delivered or local */
  queued: z.number().int().min(0).optional(),
});
export type Message = z.infer<typeof MessageSchema>;

export const MessageSendInputSchema = z
  .object({
    from: MessagePartySchema,
    to: MessagePartySchema,
    body: z.string().min(1).max(MESSAGE_MAX_BYTES),
    /** the task it is about, if any */
    task: z
      .string()
      .regex(/^task-[a-z0-9]{4,32}$/)
      .optional(),
  })
  .strict();

/** read_messages: what was sent to the reader (or to everyone) after the reader's cursor, oldest first; moves the cursor */
export const MessageReadInputSchema = z
  .object({
    reader: MessagePartySchema,
    /** false: the last `limit` messages whether read or not (the cursor still moves) */
    unreadOnly: z.boolean().default(true),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();

/** every message, newest first (the UI) */
export const MessageListInputSchema = z
  .object({
    limit: z.number().int().min(1).max(500).default(100),
    before: z.number().int().min(1).optional(),
    /** only messages from or to this party */
    party: MessagePartySchema.optional(),
  })
  .strict();

export const StateKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,255}$/, 'a key: letters, digits, . _ : / @ - (at most 256)');

export const StateEntrySchema = z.object({
  key: StateKeySchema,
  value: z.unknown(),
  /** starts at 1, +1 on every set: pass it as `expectedVersion` to set only if nobody changed it since */
  version: z.number().int(),
  updatedBy: z.string(),
  updatedAt: z.number(),
});
export type StateEntry = z.infer<typeof StateEntrySchema>;

export const StateSetInputSchema = z
  .object({
    key: StateKeySchema,
    /** any JSON value; null deletes the key */
    value: z.unknown(),
    by: MessagePartySchema,
    /** compare-and-set: refused with CONFLICT unless the key is at this version (0: does not exist yet) */
    expectedVersion: z.number().int().min(0).optional(),
  })
  .strict();

export const MessageEventSchema = z.object({
  type: z.literal('message.posted'),
  ts: z.number(),
  message: MessageSchema,
});
/** a message sent from here reached one more machine (its `queued` count went down) */
export const MessageDeliveredEventSchema = z.object({
  type: z.literal('message.delivered'),
  ts: z.number(),
  message: MessageSchema,
});
export const StateEventSchema = z.object({
  type: z.literal('state.changed'),
  ts: z.number(),
  key: z.string(),
  entry: StateEntrySchema.nullable(),
  /** a teammate's machine whose set this copy now has (absent: set here) */
  machine: z.string().optional(),
});
